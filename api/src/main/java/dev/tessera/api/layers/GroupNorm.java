package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Group normalisation (Wu and He 2018) over NHWC input, computed from moments (mean and mean of
 * squared deviations): TF Java 1.1.0 has no gradient for the fused batch-norm ops.
 */
public final class GroupNorm {
  private final Ops tf;
  private final long channels;
  private final long groups;
  private final float epsilon;
  private final Variable<TFloat32> gamma;
  private final Variable<TFloat32> beta;

  public GroupNorm(GraphScope scope, long channels, long groups) {
    this(scope, channels, groups, 1e-5f);
  }

  public GroupNorm(GraphScope scope, long channels, long groups, float epsilon) {
    if (channels % groups != 0) {
      throw new IllegalArgumentException(channels + " channels cannot be split into " + groups + " groups");
    }
    this.tf = scope.tf();
    this.channels = channels;
    this.groups = groups;
    this.epsilon = epsilon;
    this.gamma = scope.parameter("gamma", new long[] {channels}, Initializers.ones());
    this.beta = scope.parameter("beta", new long[] {channels}, Initializers.zeros());
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    long h = GraphScope.staticDim(x, 1);
    long w = GraphScope.staticDim(x, 2);
    Operand<TFloat32> grouped = tf.reshape(x, tf.constant(new long[] {-1, h, w, groups, channels / groups}));
    Operand<org.tensorflow.types.TInt32> axes = tf.constant(new int[] {1, 2, 4});
    Operand<TFloat32> mean = tf.math.mean(grouped, axes, Mean.keepDims(true));
    Operand<TFloat32> centered = tf.math.sub(grouped, mean);
    Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), axes, Mean.keepDims(true));
    Operand<TFloat32> normed = tf.math.mul(centered, tf.math.rsqrt(tf.math.add(variance, tf.constant(epsilon))));
    Operand<TFloat32> back = tf.reshape(normed, tf.constant(new long[] {-1, h, w, channels}));
    return tf.math.add(tf.math.mul(back, gamma), beta);
  }
}
