package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Self-attention over the pixels of a feature map, pre-normed by GroupNorm, with a residual. */
public final class SpatialSelfAttention {
  private final Ops tf;
  private final GroupNorm norm;
  private final MultiHeadAttention attention;
  private final long channels;

  public SpatialSelfAttention(GraphScope scope, long channels, int heads, int groups) {
    this.tf = scope.tf();
    this.channels = channels;
    this.norm = new GroupNorm(scope.child("norm"), channels, Math.min(groups, channels));
    this.attention = new MultiHeadAttention(scope.child("attn"), channels, heads, false);
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    long h = GraphScope.staticDim(x, 1);
    long w = GraphScope.staticDim(x, 2);
    Operand<TFloat32> seq = tf.reshape(norm.apply(x), tf.constant(new long[] {-1, h * w, channels}));
    Operand<TFloat32> out = tf.reshape(attention.apply(seq), tf.constant(new long[] {-1, h, w, channels}));
    return tf.math.add(x, out);
  }
}
