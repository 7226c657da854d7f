package dev.tessera.api.graph;

import java.util.Arrays;

/** Common initializers. Fan-in is passed explicitly because its meaning depends on the layer. */
public final class Initializers {
  private Initializers() {}

  public static Initializer zeros() {
    return constant(0f);
  }

  public static Initializer ones() {
    return constant(1f);
  }

  public static Initializer constant(float value) {
    return (shape, random) -> {
      float[] v = new float[Math.toIntExact(Initializer.numElements(shape))];
      Arrays.fill(v, value);
      return v;
    };
  }

  /** Uniform in [-limit, limit]. */
  public static Initializer uniform(double limit) {
    return (shape, random) -> {
      float[] v = new float[Math.toIntExact(Initializer.numElements(shape))];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
      }
      return v;
    };
  }

  /** Normal with mean 0 and the given standard deviation (Box-Muller on the seeded generator). */
  public static Initializer normal(double std) {
    return (shape, random) -> {
      float[] v = new float[Math.toIntExact(Initializer.numElements(shape))];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (gaussian(random) * std);
      }
      return v;
    };
  }

  /**
   * PyTorch's default for Linear/Conv weights and biases (kaiming_uniform with a = sqrt(5)):
   * U(-1/sqrt(fanIn), 1/sqrt(fanIn)). Used so that models trained here behave like their
   * PyTorch references.
   */
  public static Initializer torchDefault(long fanIn) {
    return uniform(1.0 / Math.sqrt(Math.max(1, fanIn)));
  }

  /** He/Kaiming uniform for ReLU layers: U(-sqrt(6/fanIn), sqrt(6/fanIn)). */
  public static Initializer heUniform(long fanIn) {
    return uniform(Math.sqrt(6.0 / Math.max(1, fanIn)));
  }

  /** Glorot/Xavier uniform: U(-sqrt(6/(fanIn+fanOut)), +...). */
  public static Initializer glorotUniform(long fanIn, long fanOut) {
    return uniform(Math.sqrt(6.0 / Math.max(1, fanIn + fanOut)));
  }

  /**
   * Starts a variable with the initial values of another variable of the same shape (an EMA sum
   * that must begin equal to its codebook). Resolved by {@link VariableStore#initialize}.
   */
  public static Initializer copyOf(String variableName) {
    return new CopyOf(variableName);
  }

  /** Marker initializer; its values come from another variable. */
  public record CopyOf(String source) implements Initializer {
    @Override
    public float[] values(long[] shape, java.util.SplittableRandom random) {
      throw new IllegalStateException("copyOf(" + source + ") is resolved by VariableStore.initialize");
    }
  }

  static double gaussian(java.util.SplittableRandom random) {
    double u1 = Math.max(random.nextDouble(), 1e-300);
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
