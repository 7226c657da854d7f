package dev.tessera.api.types;

import java.util.Arrays;

/**
 * What a prior produces: either a grid of discrete codes (int) or continuous vectors (float),
 * with its shape (batch first).
 */
public record Latents(long[] shape, int[] codes, float[] values) {
  public Latents {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    if ((codes == null) == (values == null)) {
      throw new IllegalArgumentException("latents are either codes or values");
    }
    int len = codes != null ? codes.length : values.length;
    if (len != n) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " entries, got " + len);
    }
  }

  public static Latents ofCodes(long[] shape, int[] codes) {
    return new Latents(shape, codes, null);
  }

  public static Latents ofValues(long[] shape, float[] values) {
    return new Latents(shape, null, values);
  }

  public boolean discrete() {
    return codes != null;
  }
}
