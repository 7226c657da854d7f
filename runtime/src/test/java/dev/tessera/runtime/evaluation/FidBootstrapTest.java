package dev.tessera.runtime.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.types.Embedding;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FidBootstrapTest {
  private static Embedding noise(int n, int d, double shift, double std, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n * d];
    for (int i = 0; i < v.length; i++) {
      double g = Math.sqrt(-2 * Math.log(Math.max(r.nextDouble(), 1e-12))) * Math.cos(2 * Math.PI * r.nextDouble());
      v[i] = (float) (shift + std * g);
    }
    return new Embedding(n, d, v);
  }

  private static Embedding plus(Embedding a, Embedding b) {
    float[] v = a.values().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] += b.values()[i];
    }
    return new Embedding(a.count(), a.dim(), v);
  }

  @Test
  void perfectReconstructionsScoreZeroOnEveryResample() {
    Embedding x = noise(50, 3, 0, 1, 1);
    FidBootstrap.Result r = FidBootstrap.of(x, x, 20, 7);
    assertEquals(0, r.fullFid(), 1e-9);
    for (double f : r.resampleFids()) {
      assertEquals(0, f, 1e-9);
    }
  }

  @Test
  void theSameSeedGivesTheSameResamplesSoTwoModelsPairUp() {
    Embedding x = noise(40, 3, 0, 1, 1);
    Embedding good = plus(x, noise(40, 3, 0, 0.1, 2));
    Embedding bad = plus(x, noise(40, 3, 0.5, 0.5, 3));
    FidBootstrap.Result g1 = FidBootstrap.of(x, good, 30, 5);
    assertArrayEquals(g1.resampleFids(), FidBootstrap.of(x, good, 30, 5).resampleFids());
    FidBootstrap.Result b = FidBootstrap.of(x, bad, 30, 5);
    for (int i = 0; i < 30; i++) {
      assertTrue(g1.resampleFids()[i] < b.resampleFids()[i], "resample " + i);
    }
    double[] other = FidBootstrap.of(x, good, 30, 6).resampleFids();
    assertTrue(other[0] != g1.resampleFids()[0], "another seed, other resamples");
  }

  @Test
  void theIntervalBracketsTheFullFidAndNarrowsWithMoreImages() {
    Embedding small = noise(60, 2, 0, 1, 1);
    Embedding large = noise(2000, 2, 0, 1, 1);
    FidBootstrap.Result s = FidBootstrap.of(small, plus(small, noise(60, 2, 0.3, 0.3, 2)), 200, 1);
    FidBootstrap.Result l = FidBootstrap.of(large, plus(large, noise(2000, 2, 0.3, 0.3, 2)), 200, 1);
    for (FidBootstrap.Result r : new FidBootstrap.Result[] {s, l}) {
      assertTrue(r.quantile(0.025) <= r.fullFid() && r.fullFid() <= r.quantile(0.975),
          r.quantile(0.025) + " .. " + r.quantile(0.975) + " vs " + r.fullFid());
    }
    assertTrue(l.quantile(0.975) - l.quantile(0.025) < (s.quantile(0.975) - s.quantile(0.025)) / 2);
  }

  @Test
  void minusPairsResampleByResample() {
    FidBootstrap.Result r = new FidBootstrap.Result(10, new double[] {11, 12, 13});
    FidBootstrap.Result d = r.minus(new double[] {9, 12, 12, 12});
    assertEquals(1, d.fullFid(), 1e-12);
    assertArrayEquals(new double[] {-1, 0, 1}, d.resampleFids(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> r.minus(new double[] {1, 2}));
  }

  @Test
  void quantilesInterpolate() {
    FidBootstrap.Result r = new FidBootstrap.Result(0, new double[] {4, 1, 3, 2});
    assertEquals(1, r.quantile(0), 1e-12);
    assertEquals(4, r.quantile(1), 1e-12);
    assertEquals(2.5, r.quantile(0.5), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> r.quantile(1.5));
  }

  @Test
  void rejectsUnpairedInputsAndTooFewResamples() {
    Embedding x = noise(10, 3, 0, 1, 1);
    assertThrows(IllegalArgumentException.class, () -> FidBootstrap.of(x, noise(9, 3, 0, 1, 2), 10, 1));
    assertThrows(IllegalArgumentException.class, () -> FidBootstrap.of(x, noise(10, 2, 0, 1, 2), 10, 1));
    assertThrows(IllegalArgumentException.class, () -> FidBootstrap.of(x, x, 1, 1));
  }
}
