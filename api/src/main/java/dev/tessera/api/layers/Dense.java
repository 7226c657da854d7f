package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Fully connected layer y = x W + b over the last axis of x (any rank >= 2). */
public final class Dense {
  private final Ops tf;
  private final long in;
  private final long out;
  private final Operand<TFloat32> kernel;
  private final Operand<TFloat32> bias;

  public Dense(GraphScope scope, long in, long out) {
    this(scope, in, out, true);
  }

  public Dense(GraphScope scope, long in, long out, boolean useBias) {
    this.tf = scope.tf();
    this.in = in;
    this.out = out;
    this.kernel = scope.weight("kernel", new long[] {in, out}, Initializers.torchDefault(in));
    this.bias = useBias ? scope.weight("bias", new long[] {out}, Initializers.torchDefault(in)) : null;
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    Operand<TFloat32> y = product(x);
    return bias == null ? y : tf.math.add(y, bias);
  }

  /** x W without the bias, for a caller that adds it inside a fused kernel ({@link #bias()}). */
  public Operand<TFloat32> product(Operand<TFloat32> x) {
    int rank = x.shape().numDimensions();
    Operand<TFloat32> y;
    if (rank == 2) {
      y = tf.linalg.matMul(x, kernel);
    } else {
      // Flatten leading axes, multiply, restore: [..., in] -> [-1, in] -> [..., out].
      Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1, in}));
      Operand<TFloat32> prod = tf.linalg.matMul(flat, kernel);
      long[] known = x.shape().asArray();
      boolean staticTail = true;
      for (int i = 1; i < rank - 1; i++) {
        staticTail &= known[i] >= 0;
      }
      if (staticTail) {
        // Keep the static shape (all but the batch axis) for layers that need it downstream.
        known[0] = -1;
        known[rank - 1] = out;
        y = tf.reshape(prod, tf.constant(known));
      } else {
        Operand<org.tensorflow.types.TInt32> lead =
            tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {rank - 1}));
        y = tf.reshape(prod, tf.concat(java.util.List.of(lead, tf.constant(new int[] {(int) out})), tf.constant(0)));
      }
    }
    return y;
  }

  public Operand<TFloat32> kernel() {
    return kernel;
  }

  /** The bias, or null for a layer without one. */
  public Operand<TFloat32> bias() {
    return bias;
  }
}
