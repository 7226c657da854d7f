package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.NativeOps;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Layer normalisation (Ba et al. 2016) over the last axis: one native kernel each way where
 * {@link NativeOps} are loaded, else from moments with TensorFlow's ops (the same function).
 */
public final class LayerNorm {
  private final Ops tf;
  private final float epsilon;
  private final Operand<TFloat32> gamma;
  private final Operand<TFloat32> beta;

  public LayerNorm(GraphScope scope, long dim) {
    this(scope, dim, 1e-5f);
  }

  public LayerNorm(GraphScope scope, long dim, float epsilon) {
    this.tf = scope.tf();
    this.epsilon = epsilon;
    this.gamma = scope.weight("gamma", new long[] {dim}, Initializers.ones());
    this.beta = scope.weight("beta", new long[] {dim}, Initializers.zeros());
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    return NativeOps.available() ? NativeOps.layerNorm(tf, x, gamma, beta, epsilon) : fromMoments(x);
  }

  /** A residual stream's sum h = x + res + bias and its layer norm. */
  public record Residual(Operand<TFloat32> sum, Operand<TFloat32> normed) {}

  /**
   * The residual add before this norm and the norm: h = x + res + bias (bias [D] or null; res null:
   * h = x), then {@link #apply}(h). One native kernel each way where they are loaded and there is a bias.
   */
  public Residual applyResidual(Operand<TFloat32> x, Operand<TFloat32> res, Operand<TFloat32> bias) {
    if (res != null && bias != null && NativeOps.available()) {
      java.util.List<Operand<TFloat32>> out = NativeOps.residualLayerNorm(tf, x, res, bias, gamma, beta, epsilon);
      return new Residual(out.get(0), out.get(1));
    }
    Operand<TFloat32> h = residualSum(tf, x, res, bias);
    return new Residual(h, apply(h));
  }

  /** x + (res + bias) with TensorFlow's ops, in the order the kernel adds them (bias may be null; res null: x). */
  static Operand<TFloat32> residualSum(Ops tf, Operand<TFloat32> x, Operand<TFloat32> res, Operand<TFloat32> bias) {
    if (res == null) {
      return x;
    }
    return tf.math.add(x, bias == null ? res : tf.math.add(res, bias));
  }

  /** The same function from TensorFlow's ops (when the native kernels are not loaded). */
  Operand<TFloat32> fromMoments(Operand<TFloat32> x) {
    Operand<org.tensorflow.types.TInt32> last = tf.constant(new int[] {-1});
    Operand<TFloat32> mean = tf.math.mean(x, last, Mean.keepDims(true));
    Operand<TFloat32> centered = tf.math.sub(x, mean);
    Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), last, Mean.keepDims(true));
    Operand<TFloat32> normed = tf.math.mul(centered, tf.math.rsqrt(tf.math.add(variance, tf.constant(epsilon))));
    return tf.math.add(tf.math.mul(normed, gamma), beta);
  }
}
