package dev.tessera.runtime.evaluation;

/**
 * The Fréchet distance between two Gaussians fitted to features (Heusel et al. 2017, "FID"):
 * |mu1 - mu2|^2 + Tr(C1 + C2 - 2 (C1 C2)^(1/2)). The trace of the matrix square root is computed
 * as the sum of square roots of the eigenvalues of C1^(1/2) C2 C1^(1/2), which is symmetric, with
 * a Jacobi eigen-solver (features are small: 128-d here).
 */
public final class FrechetDistance {
  private FrechetDistance() {}

  public static double between(FeatureStatistics a, FeatureStatistics b) {
    int d = a.mean().length;
    if (b.mean().length != d) {
      throw new IllegalArgumentException("feature sizes differ: " + d + " vs " + b.mean().length);
    }
    double meanTerm = 0;
    for (int i = 0; i < d; i++) {
      double diff = a.mean()[i] - b.mean()[i];
      meanTerm += diff * diff;
    }
    double traceA = 0;
    double traceB = 0;
    for (int i = 0; i < d; i++) {
      traceA += a.covariance()[i][i];
      traceB += b.covariance()[i][i];
    }
    double[][] sqrtA = sqrtPsd(a.covariance());
    double[][] m = multiply(multiply(sqrtA, b.covariance()), sqrtA);
    symmetrize(m);
    double traceSqrt = 0;
    for (double lambda : JacobiEigen.eigenvalues(m)) {
      traceSqrt += Math.sqrt(Math.max(0, lambda));
    }
    return Math.max(0, meanTerm + traceA + traceB - 2 * traceSqrt);
  }

  /** Square root of a symmetric positive semi-definite matrix (negative eigenvalues clipped to 0). */
  static double[][] sqrtPsd(double[][] c) {
    int d = c.length;
    JacobiEigen.Result e = JacobiEigen.decompose(c);
    double[][] out = new double[d][d];
    for (int k = 0; k < d; k++) {
      double s = Math.sqrt(Math.max(0, e.values()[k]));
      for (int i = 0; i < d; i++) {
        double vik = e.vectors()[i][k] * s;
        if (vik == 0) {
          continue;
        }
        for (int j = 0; j < d; j++) {
          out[i][j] += vik * e.vectors()[j][k];
        }
      }
    }
    return out;
  }

  static double[][] multiply(double[][] a, double[][] b) {
    int n = a.length;
    int m = b[0].length;
    int k = b.length;
    double[][] out = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < k; p++) {
        double aip = a[i][p];
        if (aip == 0) {
          continue;
        }
        for (int j = 0; j < m; j++) {
          out[i][j] += aip * b[p][j];
        }
      }
    }
    return out;
  }

  private static void symmetrize(double[][] m) {
    for (int i = 0; i < m.length; i++) {
      for (int j = i + 1; j < m.length; j++) {
        double v = (m[i][j] + m[j][i]) / 2;
        m[i][j] = v;
        m[j][i] = v;
      }
    }
  }
}
