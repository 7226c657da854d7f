package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The residual block of diffusion U-Nets (Ho et al. 2020): GroupNorm-SiLU-conv3x3, plus a
 * projection of the time (and condition) embedding added per channel, GroupNorm-SiLU-conv3x3,
 * and a 1x1 convolution on the skip path when the channel count changes.
 */
public final class UNetBlock {
  private final Ops tf;
  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final Dense time;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d skip;

  public UNetBlock(GraphScope scope, long in, long out, long embedDim, int groups) {
    this.tf = scope.tf();
    this.norm1 = new GroupNorm(scope.child("norm1"), in, Math.min(groups, in));
    this.conv1 = new Conv2d(scope.child("conv1"), in, out, 3);
    this.time = new Dense(scope.child("time"), embedDim, out);
    this.norm2 = new GroupNorm(scope.child("norm2"), out, Math.min(groups, out));
    this.conv2 = new Conv2d(scope.child("conv2"), out, out, 3);
    this.skip = in == out ? null : new Conv2d(scope.child("skip"), in, out, 1);
  }

  /** @param embedding [N, embedDim] */
  public Operand<TFloat32> apply(Operand<TFloat32> x, Operand<TFloat32> embedding) {
    Operand<TFloat32> h = conv1.apply(norm1.applySilu(x));
    Operand<TFloat32> e = time.apply(Activations.silu(tf, embedding));
    h = tf.math.add(h, tf.reshape(e, tf.concat(java.util.List.of(
        tf.slice(tf.shape(e), tf.constant(new int[] {0}), tf.constant(new int[] {1})),
        tf.constant(new int[] {1, 1, (int) GraphScope.staticDim(e, 1)})), tf.constant(0))));
    h = conv2.apply(norm2.applySilu(h));
    return tf.math.add(skip == null ? x : skip.apply(x), h);
  }

  /** Forward FLOPs on an h x w map for one image (convolutions only). */
  public static long flops(long h, long w, long in, long out) {
    return Conv2d.flops(h, w, 3, in, out) + Conv2d.flops(h, w, 3, out, out) + (in == out ? 0 : Conv2d.flops(h, w, 1, in, out));
  }
}
