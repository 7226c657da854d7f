package dev.tessera.runtime.pipeline;

import dev.tessera.api.types.ImageBatch;

/** Reconstruction metrics computed in Java on [0, 1] images. */
public final class ImageMetrics {
  private ImageMetrics() {}

  /** Mean over images of each image's PSNR in dB (peak 1.0); an exact copy counts as 100 dB. */
  public static double meanPsnr(ImageBatch a, ImageBatch b) {
    if (a.count() != b.count() || a.height() != b.height() || a.width() != b.width() || a.channels() != b.channels()) {
      throw new IllegalArgumentException("image batches differ in shape");
    }
    int per = a.height() * a.width() * a.channels();
    double sum = 0;
    for (int i = 0; i < a.count(); i++) {
      double se = 0;
      for (int j = 0; j < per; j++) {
        double d = clamp(a.data()[i * per + j]) - clamp(b.data()[i * per + j]);
        se += d * d;
      }
      double mse = se / per;
      sum += mse == 0 ? 100 : Math.min(100, 10 * Math.log10(1.0 / mse));
    }
    return a.count() == 0 ? Double.NaN : sum / a.count();
  }

  /** exp(entropy) of the code histogram: the number of codes in effective use. */
  public static double perplexity(int[] codes, int codebookSize) {
    if (codes == null || codes.length == 0) {
      return Double.NaN;
    }
    long[] counts = new long[codebookSize];
    for (int c : codes) {
      counts[c]++;
    }
    double h = 0;
    for (long n : counts) {
      if (n > 0) {
        double p = (double) n / codes.length;
        h -= p * Math.log(p);
      }
    }
    return Math.exp(h);
  }

  /** Number of distinct codes used. */
  public static int distinct(int[] codes) {
    return (int) java.util.Arrays.stream(codes).distinct().count();
  }

  private static double clamp(float v) {
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }
}
