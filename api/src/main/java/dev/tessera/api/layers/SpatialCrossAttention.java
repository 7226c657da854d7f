package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Cross-attention from the pixels of a feature map [B, H, W, C] to a context [B, S, Dc] (a prompt's
 * token states), pre-normed by GroupNorm, with a residual: x + attend(norm(x), context). The
 * building block by which latent diffusion U-Nets read text at each resolution.
 */
public final class SpatialCrossAttention {
  private final Ops tf;
  private final GroupNorm norm;
  private final CrossAttention attention;
  private final long channels;

  public SpatialCrossAttention(GraphScope scope, long channels, long contextDim, int heads, int groups) {
    this.tf = scope.tf();
    this.channels = channels;
    this.norm = new GroupNorm(scope.child("norm"), channels, Math.min(groups, channels));
    this.attention = new CrossAttention(scope.child("attn"), channels, contextDim, heads);
  }

  /** @param mask [B, S] of 1 (attend) and 0 (ignore), or null */
  public Operand<TFloat32> apply(Operand<TFloat32> x, Operand<TFloat32> context, Operand<TFloat32> mask) {
    long h = GraphScope.staticDim(x, 1);
    long w = GraphScope.staticDim(x, 2);
    Operand<TFloat32> seq = tf.reshape(norm.apply(x), tf.constant(new long[] {-1, h * w, channels}));
    Operand<TFloat32> out = tf.reshape(attention.apply(seq, context, mask), tf.constant(new long[] {-1, h, w, channels}));
    return tf.math.add(x, out);
  }
}
