package dev.tessera.runtime.evaluation;

import dev.tessera.api.types.Embedding;

/**
 * How different the images of one prompt are: the mean pairwise Euclidean distance of their
 * features, and how many images have a near-duplicate (a neighbour closer than {@code threshold}).
 */
public record Diversity(double meanPairwiseDistance, int nearDuplicates) {

  public static Diversity of(Embedding features, double threshold) {
    int n = features.count();
    int d = features.dim();
    float[] v = features.values();
    double sum = 0;
    long pairs = 0;
    boolean[] duplicate = new boolean[n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double s = 0;
        for (int k = 0; k < d; k++) {
          double diff = v[i * d + k] - v[j * d + k];
          s += diff * diff;
        }
        double dist = Math.sqrt(s);
        sum += dist;
        pairs++;
        if (dist < threshold) {
          duplicate[i] = true;
          duplicate[j] = true;
        }
      }
    }
    int dups = 0;
    for (boolean b : duplicate) {
      if (b) {
        dups++;
      }
    }
    return new Diversity(pairs == 0 ? 0 : sum / pairs, dups);
  }
}
