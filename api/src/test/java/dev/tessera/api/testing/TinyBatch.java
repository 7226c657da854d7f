package dev.tessera.api.testing;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A tiny input shape, batch first, and the shape a component returns for it: what a contract test
 * builds the component with and checks its output against.
 *
 * @param input e.g. {2, 8, 8, 1} for two 8x8 grey images
 * @param output e.g. {2, 2, 2, 3} for an encoder that downsamples 4x to 3 channels
 */
public record TinyBatch(long[] input, long[] output) {
  public TinyBatch {
    input = input.clone();
    output = output.clone();
    if (input.length == 0 || output.length == 0 || input[0] != output[0]) {
      throw new IllegalArgumentException("input and output need the same batch size first: " + this);
    }
  }

  public static TinyBatch of(long[] input, long[] output) {
    return new TinyBatch(input, output);
  }

  public int batchSize() {
    return Math.toIntExact(input[0]);
  }

  /** The input's shape with the last axis one larger: an input of the wrong size. */
  public long[] inputWithLastAxisPlusOne() {
    long[] s = input.clone();
    s[s.length - 1]++;
    return s;
  }

  /** The input's shape with an unknown batch axis, as pipelines build their placeholders. */
  public static long[] unknownBatch(long[] shape) {
    long[] s = shape.clone();
    s[0] = -1;
    return s;
  }

  /** How many values a tensor of this shape holds. */
  public static int elements(long[] shape) {
    return Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
  }

  /** Seeded uniform values in [low, high) for a shape. */
  public static float[] uniform(long seed, long[] shape, float low, float high) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[elements(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = low + (high - low) * (float) random.nextDouble();
    }
    return v;
  }

  @Override
  public String toString() {
    return Arrays.toString(input) + " -> " + Arrays.toString(output);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TinyBatch t && Arrays.equals(t.input, input) && Arrays.equals(t.output, output);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(input) * 31 + Arrays.hashCode(output);
  }
}
