package dev.tessera.runtime.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.types.Embedding;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {
  private static Embedding gaussian(int n, int d, double[] mean, double[] std, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        double u1 = Math.max(r.nextDouble(), 1e-12);
        double g = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble());
        v[i * d + j] = (float) (mean[j] + std[j] * g);
      }
    }
    return new Embedding(n, d, v);
  }

  @Test
  void identicalSetsAreAtZero() {
    FeatureStatistics s = FeatureStatistics.of(gaussian(500, 4, new double[4], new double[] {1, 2, 3, 4}, 1));
    assertEquals(0, FrechetDistance.between(s, s), 1e-8);
  }

  @Test
  void matchesTheClosedFormForDiagonalGaussians() {
    // Diagonal: FID = |mu1-mu2|^2 + sum (s1 - s2)^2, with the sample statistics as the inputs.
    double[][] c1 = {{4, 0}, {0, 1}};
    double[][] c2 = {{1, 0}, {0, 9}};
    FeatureStatistics a = new FeatureStatistics(10, new double[] {0, 0}, c1);
    FeatureStatistics b = new FeatureStatistics(10, new double[] {3, 4}, c2);
    double expected = 25 + (2 - 1) * (2 - 1) + (1 - 3) * (1 - 3);
    assertEquals(expected, FrechetDistance.between(a, b), 1e-9);
  }

  @Test
  void sqrtOfACorrelatedMatrixSquaresBack() {
    double[][] c = {{2, 1, 0.5}, {1, 3, 0.2}, {0.5, 0.2, 1}};
    double[][] s = FrechetDistance.sqrtPsd(c);
    double[][] back = FrechetDistance.multiply(s, s);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(c[i][j], back[i][j], 1e-9);
      }
    }
  }

  @Test
  void growsWithTheShiftBetweenSamples() {
    double[] std = {1, 1, 1, 1, 1, 1, 1, 1};
    FeatureStatistics ref = FeatureStatistics.of(gaussian(2000, 8, new double[8], std, 2));
    double near = FrechetDistance.between(ref, FeatureStatistics.of(gaussian(2000, 8, new double[8], std, 3)));
    double[] shifted = {1, 1, 1, 1, 1, 1, 1, 1};
    double far = FrechetDistance.between(ref, FeatureStatistics.of(gaussian(2000, 8, shifted, std, 4)));
    assertTrue(near < 0.1, "same distribution: " + near);
    assertEquals(8, far, 0.5);
  }
}
