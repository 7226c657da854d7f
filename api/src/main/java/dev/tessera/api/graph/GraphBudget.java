package dev.tessera.api.graph;

import dev.tessera.api.TesseraException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.ndarray.Shape;

/**
 * How large a graph Tessera builds and runs. A config value a user can set (a weights folder's
 * config.json, {@code train --set}) decides the shapes, and TensorFlow aborts the whole process
 * (SIGABRT, no Java error) when a shape's arithmetic overflows or an allocation fails; a
 * Java-side initializer overflows an int. So sizes are checked here, in Java, before TensorFlow
 * sees them:
 *
 * <ul>
 *   <li>{@link #checkVariable}: each variable and all of a graph's variables together hold at most
 *       {@link #MAX_PARAMETERS} values, checked as each is created;
 *   <li>{@link #checkActivations}: before a session opens, every tensor of the graph holds at most
 *       {@link #MAX_TENSOR} values per example (unknown dimensions, such as the batch, count as 1).
 * </ul>
 *
 * The limits are far above anything Tessera trains (the largest shipped model has 10 M parameters,
 * its largest activation 0.4 M values per example) and below what overflows or exhausts a machine.
 */
public final class GraphBudget {
  /** 2^28 values: 1 GiB of float32 parameters (plus as much again for each of Adam's two moments). */
  public static final long MAX_PARAMETERS = 1L << 28;

  /** 2^28 values per example in any one tensor: 1 GiB of float32 for a batch of one. */
  public static final long MAX_TENSOR = 1L << 28;

  private GraphBudget() {}

  /**
   * Checks a new variable's shape against the budget, given the values the graph's other
   * variables already hold; returns the new total.
   */
  public static long checkVariable(String name, long[] shape, long totalSoFar) {
    long n = elements(shape, "variable '" + name + "'");
    if (n > MAX_PARAMETERS || totalSoFar + n > MAX_PARAMETERS) {
      throw new OverBudget(shape, "variable '" + name + "' of shape " + Arrays.toString(shape) + " would bring the model to "
          + count(totalSoFar + n) + " parameters, more than the limit of " + count(MAX_PARAMETERS)
          + ": a size in the model's config (config.json, --set) is too large");
    }
    return totalSoFar + n;
  }

  /** Checks every tensor of {@code graph} against {@link #MAX_TENSOR} values per example. */
  public static void checkActivations(Graph graph) {
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      for (int i = 0; i < op.numOutputs(); i++) {
        Shape s = op.output(i).shape();
        if (s.isUnknown()) {
          continue;
        }
        long[] dims = s.asArray().clone();
        for (int d = 0; d < dims.length; d++) {
          dims[d] = Math.max(dims[d], 1); // unknown (the batch): per example
        }
        long n = elements(dims, "tensor '" + op.name() + "'");
        if (n > MAX_TENSOR) {
          throw new OverBudget(dims, "tensor '" + op.name() + "' of shape " + s + " would hold " + count(n) + " values per example, more "
              + "than the limit of " + count(MAX_TENSOR) + ": a size in the model's config (config.json, --set) is too large");
        }
      }
    }
  }

  /** A shape over the budget; {@link #naming} adds which config values are in it. */
  public static final class OverBudget extends TesseraException {
    private final long[] shape;

    OverBudget(long[] shape, String message) {
      super(message);
      this.shape = shape.clone();
    }

    /**
     * The same error naming the keys of {@code config} whose values are dimensions of the shape
     * ("hidden_channels = 16384"), so the user knows which value to lower.
     */
    public TesseraException naming(dev.tessera.api.io.ModelConfig config) {
      java.util.List<String> keys = new java.util.ArrayList<>();
      for (java.util.Iterator<String> it = config.keys(); it.hasNext(); ) {
        String k = it.next();
        var v = config.node(k);
        if (v != null && v.isIntegralNumber() && v.asLong() > 1 && Arrays.stream(shape).anyMatch(d -> d == v.asLong())) {
          keys.add(k + " = " + v.asLong());
        }
      }
      return keys.isEmpty() ? this : new TesseraException(getMessage().replace("a size in the model's config (config.json, --set) is too large",
          "lower " + String.join(" or ", keys) + " in the model's config (config.json, --set)"), this);
    }
  }

  private static long elements(long[] shape, String what) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new TesseraException(what + " has a negative dimension: " + Arrays.toString(shape));
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }
    return n;
  }

  /** 268.4 M, 38.7 G. */
  static String count(long n) {
    if (n == Long.MAX_VALUE) {
      return "more than 9.2 E";
    }
    if (n >= 1e9) {
      return String.format(Locale.ROOT, "%.1f G", n / 1e9);
    }
    if (n >= 1e6) {
      return String.format(Locale.ROOT, "%.1f M", n / 1e6);
    }
    return Long.toString(n);
  }
}
