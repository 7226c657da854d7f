package dev.tessera.runtime.evaluation;

import dev.tessera.api.types.Embedding;

/** Mean and covariance (divided by n - 1) of feature vectors: what FID compares. */
public record FeatureStatistics(int count, double[] mean, double[][] covariance) {

  public static FeatureStatistics of(Embedding features) {
    int n = features.count();
    int d = features.dim();
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 feature vectors, got " + n);
    }
    double[] mean = new double[d];
    float[] v = features.values();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        mean[j] += v[i * d + j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    double[][] cov = new double[d][d];
    double[] centered = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        centered[j] = v[i * d + j] - mean[j];
      }
      for (int a = 0; a < d; a++) {
        double ca = centered[a];
        if (ca == 0) {
          continue;
        }
        for (int b = a; b < d; b++) {
          cov[a][b] += ca * centered[b];
        }
      }
    }
    for (int a = 0; a < d; a++) {
      for (int b = a; b < d; b++) {
        cov[a][b] /= (n - 1);
        cov[b][a] = cov[a][b];
      }
    }
    return new FeatureStatistics(n, mean, cov);
  }
}
