package dev.tessera.runtime.evaluation;

import dev.tessera.api.types.Embedding;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How much a reconstruction FID owes to the particular test images: the FID recomputed on
 * bootstrap resamples of the image pairs (original i with reconstruction i, drawn with
 * replacement). The resamples depend only on the image count, their number and the seed, so two
 * models reconstructing the same test images see the same resamples, and their FIDs pair up row by
 * row: the share of resamples on which one model is lower is a paired comparison.
 */
public final class FidBootstrap {
  private FidBootstrap() {}

  /** The FIDs of the resamples, and the FID of all the pairs. */
  public record Result(double fullFid, double[] resampleFids) {
    /**
     * This result less another on the same resamples: {@code other[0]} is the other model's FID of
     * all the images, {@code other[1..]} its resample FIDs.
     */
    public Result minus(double[] other) {
      if (other.length != resampleFids.length + 1) {
        throw new IllegalArgumentException("pairing needs the same number of resamples: " + resampleFids.length + " vs " + (other.length - 1));
      }
      double[] d = new double[resampleFids.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = resampleFids[i] - other[i + 1];
      }
      return new Result(fullFid - other[0], d);
    }

    /** The q-quantile (0..1) of the resample FIDs, linearly interpolated. */
    public double quantile(double q) {
      if (!(q >= 0 && q <= 1)) {
        throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
      }
      double[] sorted = resampleFids.clone();
      Arrays.sort(sorted);
      double pos = q * (sorted.length - 1);
      int lo = (int) Math.floor(pos);
      int hi = Math.min(lo + 1, sorted.length - 1);
      return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
  }

  /**
   * @param originals features of the original images, one row each
   * @param reconstructions features of their reconstructions, in the same order
   * @param resamples how many resamples (at least 2)
   * @param seed chooses the resamples
   */
  public static Result of(Embedding originals, Embedding reconstructions, int resamples, long seed) {
    int n = originals.count();
    if (reconstructions.count() != n || reconstructions.dim() != originals.dim()) {
      throw new IllegalArgumentException("originals and reconstructions must pair up: " + n + "x" + originals.dim() + " vs "
          + reconstructions.count() + "x" + reconstructions.dim());
    }
    if (n < 2) {
      throw new IllegalArgumentException("a bootstrap needs at least 2 images, got " + n);
    }
    if (resamples < 2) {
      throw new IllegalArgumentException("a bootstrap needs at least 2 resamples, got " + resamples);
    }
    double full = FrechetDistance.between(FeatureStatistics.of(originals), FeatureStatistics.of(reconstructions));
    SplittableRandom random = new SplittableRandom(seed);
    double[] fids = new double[resamples];
    int[] picks = new int[n];
    for (int r = 0; r < resamples; r++) {
      for (int i = 0; i < n; i++) {
        picks[i] = random.nextInt(n);
      }
      fids[r] = FrechetDistance.between(FeatureStatistics.of(rows(originals, picks)), FeatureStatistics.of(rows(reconstructions, picks)));
    }
    return new Result(full, fids);
  }

  private static Embedding rows(Embedding e, int[] picks) {
    int d = e.dim();
    float[] out = new float[picks.length * d];
    for (int i = 0; i < picks.length; i++) {
      System.arraycopy(e.values(), picks[i] * d, out, i * d, d);
    }
    return new Embedding(picks.length, d, out);
  }
}
