package dev.tessera.api.testing;

/** Small image batches for model tests. */
public final class TinyImages {
  private TinyImages() {}

  /**
   * Four 8x8 single-channel images, NHWC-flattened: image i has quadrant i (row-major: top left,
   * top right, bottom left, bottom right) at {@code on} and the rest at {@code off}.
   */
  public static float[] quadrants(float on, float off) {
    float[] px = new float[4 * 64];
    for (int i = 0; i < 4; i++) {
      for (int p = 0; p < 64; p++) {
        px[i * 64 + p] = ((p / 8) / 4) * 2 + (p % 8) / 4 == i ? on : off;
      }
    }
    return px;
  }
}
