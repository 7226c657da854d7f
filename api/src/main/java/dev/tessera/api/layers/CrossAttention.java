package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Multi-head cross-attention, the way text enters a latent diffusion U-Net (Rombach et al. 2022):
 * queries from x [B, T, D], keys and values from a context [B, S, Dc] (a text encoder's per-token
 * states), softmax(Q K^T / sqrt(d_head) + mask) V per head, then an output projection back to D.
 * The optional mask [B, S] is 1 for the context positions to attend to and 0 for those to ignore
 * (the padding after a prompt's end token); every row must keep at least one position.
 */
public final class CrossAttention {
  private final Ops tf;
  private final long dim;
  private final int heads;
  private final Dense query;
  private final Dense key;
  private final Dense value;
  private final Dense output;

  public CrossAttention(GraphScope scope, long dim, long contextDim, int heads) {
    if (dim % heads != 0) {
      throw new IllegalArgumentException("width " + dim + " is not divisible by " + heads + " heads");
    }
    this.tf = scope.tf();
    this.dim = dim;
    this.heads = heads;
    this.query = new Dense(scope.child("query"), dim, dim);
    this.key = new Dense(scope.child("key"), contextDim, dim);
    this.value = new Dense(scope.child("value"), contextDim, dim);
    this.output = new Dense(scope.child("out"), dim, dim);
  }

  /**
   * @param x [B, T, D] with a static T
   * @param context [B, S, Dc] with a static S
   * @param mask [B, S] of 1 (attend) and 0 (ignore), or null to attend to every position
   */
  public Operand<TFloat32> apply(Operand<TFloat32> x, Operand<TFloat32> context, Operand<TFloat32> mask) {
    long t = GraphScope.staticDim(x, 1);
    long s = GraphScope.staticDim(context, 1);
    Operand<TFloat32> q = AttentionOps.splitHeads(tf, query.apply(x), t, heads, dim);
    Operand<TFloat32> k = AttentionOps.splitHeads(tf, key.apply(context), s, heads, dim);
    Operand<TFloat32> v = AttentionOps.splitHeads(tf, value.apply(context), s, heads, dim);
    // [B, H, T, S]
    Operand<TFloat32> scores = tf.math.mul(AttentionOps.bmm(tf, q, k, true), tf.constant((float) (1 / Math.sqrt(dim / heads))));
    if (mask != null) {
      // 0 where attended, -1e9 where not, broadcast over heads and queries: [B, 1, 1, S]
      Operand<TFloat32> bias = tf.math.mul(tf.math.sub(tf.constant(1f), mask), tf.constant(-1e9f));
      scores = tf.math.add(scores, tf.reshape(bias, tf.constant(new long[] {-1, 1, 1, s})));
    }
    Operand<TFloat32> weights = tf.nn.softmax(scores);
    return output.apply(AttentionOps.mergeHeads(tf, AttentionOps.bmm(tf, weights, v, false), t, dim));
  }

  /** Forward FLOPs for one query sequence of length t over a context of length s and width contextDim. */
  public static long flops(long t, long s, long dim, long contextDim) {
    return 2 * 2 * t * dim * dim + 2 * 2 * s * contextDim * dim + 2 * 2 * t * s * dim;
  }
}
