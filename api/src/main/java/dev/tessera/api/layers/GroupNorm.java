package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.NativeOps;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Group normalisation (Wu and He 2018) over NHWC input. Where Tessera's native kernels are loaded
 * ({@link NativeOps}) it is one kernel each way, with the SiLU that usually follows inside it
 * ({@link #applySilu}); otherwise it is computed from moments with TensorFlow's ops (TF Java 1.1.0
 * has no gradient for the fused batch-norm ops). Both compute the same function.
 */
public final class GroupNorm {
  private final Ops tf;
  private final long channels;
  private final long groups;
  private final float epsilon;
  private final Operand<TFloat32> gamma;
  private final Operand<TFloat32> beta;

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
    this.gamma = scope.weight("gamma", new long[] {channels}, Initializers.ones());
    this.beta = scope.weight("beta", new long[] {channels}, Initializers.zeros());
  }

  /** Group-normalised x, scaled and shifted per channel. */
  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    return NativeOps.available() ? NativeOps.groupNorm(tf, x, gamma, beta, groups, epsilon, false) : fromMoments(x);
  }

  /** SiLU of {@link #apply}: one kernel with the native ops. */
  public Operand<TFloat32> applySilu(Operand<TFloat32> x) {
    return NativeOps.available() ? NativeOps.groupNorm(tf, x, gamma, beta, groups, epsilon, true) : Activations.silu(tf, fromMoments(x));
  }

  /**
   * With TensorFlow's ops: two passes over x seen as [N, H*W, C]. Per-channel means over the
   * positions (a reduction over one axis) averaged within each group give the group means; the
   * same for the squared deviations gives the variances; then x * a + b with per-channel
   * a = gamma / std and b = beta - mean * a. Reducing over axes 1, 2 and 4 of a [N, H, W, G, C/G] view, as this did
   * first, was 16% of a U-Net forward pass in the profiles.
   */
  Operand<TFloat32> fromMoments(Operand<TFloat32> x) {
    long h = GraphScope.staticDim(x, 1);
    long w = GraphScope.staticDim(x, 2);
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1, h * w, channels}));
    Operand<TFloat32> mean = perChannelGroupMean(flat);
    Operand<TFloat32> centered = tf.math.sub(flat, mean);
    Operand<TFloat32> variance = perChannelGroupMean(tf.math.square(centered));
    Operand<TFloat32> scale = tf.math.mul(tf.math.rsqrt(tf.math.add(variance, tf.constant(epsilon))), gamma); // [N, 1, C]
    Operand<TFloat32> normed = tf.math.add(tf.math.mul(centered, scale), beta);
    return tf.reshape(normed, tf.constant(new long[] {-1, h, w, channels}));
  }

  /** [N, P, C] -> [N, 1, C]: the mean over positions and over the channels of each channel's group. */
  private Operand<TFloat32> perChannelGroupMean(Operand<TFloat32> values) {
    Operand<TFloat32> perChannel = tf.math.mean(values, tf.constant(1)); // [N, C]
    Operand<TFloat32> grouped = tf.reshape(perChannel, tf.constant(new long[] {-1, groups, channels / groups}));
    Operand<TFloat32> perGroup = tf.math.mean(grouped, tf.constant(2), Mean.keepDims(true)); // [N, G, 1]
    Operand<TFloat32> spread = tf.math.mul(perGroup, tf.ones(tf.constant(new long[] {1, groups, channels / groups}), TFloat32.class));
    return tf.reshape(spread, tf.constant(new long[] {-1, 1, channels}));
  }
}
