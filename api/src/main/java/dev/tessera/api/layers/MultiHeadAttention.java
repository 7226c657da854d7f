package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Multi-head scaled dot-product self-attention ("Attention Is All You Need", Vaswani et al. 2017)
 * over [B, T, D] with a static T: softmax(Q K^T / sqrt(d_head) + mask) V per head, then an output
 * projection. With {@code causal}, position t attends to positions <= t only.
 */
public final class MultiHeadAttention {
  private final Ops tf;
  private final long dim;
  private final int heads;
  private final boolean causal;
  private final Dense query;
  private final Dense key;
  private final Dense value;
  private final Dense output;

  public MultiHeadAttention(GraphScope scope, long dim, int heads, boolean causal) {
    if (dim % heads != 0) {
      throw new IllegalArgumentException("width " + dim + " is not divisible by " + heads + " heads");
    }
    this.tf = scope.tf();
    this.dim = dim;
    this.heads = heads;
    this.causal = causal;
    this.query = new Dense(scope.child("query"), dim, dim);
    this.key = new Dense(scope.child("key"), dim, dim);
    this.value = new Dense(scope.child("value"), dim, dim);
    this.output = new Dense(scope.child("out"), dim, dim);
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    long t = GraphScope.staticDim(x, 1);
    long headDim = dim / heads;
    Operand<TFloat32> q = splitHeads(query.apply(x), t, headDim);
    Operand<TFloat32> k = splitHeads(key.apply(x), t, headDim);
    Operand<TFloat32> v = splitHeads(value.apply(x), t, headDim);
    // [B, H, T, T]
    Operand<TFloat32> scores = tf.math.mul(
        tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true)), tf.constant((float) (1 / Math.sqrt(headDim))));
    if (causal) {
      scores = tf.math.add(scores, tf.constant(causalMask((int) t)));
    }
    Operand<TFloat32> weights = tf.nn.softmax(scores);
    Operand<TFloat32> context = tf.train.batchMatMul(weights, v, TFloat32.class);
    // [B, H, T, Dh] -> [B, T, H, Dh] -> [B, T, D]
    Operand<TFloat32> merged = tf.reshape(tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3})), tf.constant(new long[] {-1, t, dim}));
    return output.apply(merged);
  }

  /** Output of a cached pass and the ops that store its keys and values (run them with it). */
  public record Cached(Operand<TFloat32> output, java.util.List<org.tensorflow.op.Op> stores) {}

  /**
   * Causal attention of a chunk of positions [B, c, D] starting at {@code start} over the cached
   * keys and values of the positions before it and its own: the same function as {@link #apply}
   * with {@code causal} on the whole sequence, at the cost of c positions. A {@code fresh} pass
   * starts a new sequence at position 0.
   */
  public Cached applyCached(Operand<TFloat32> x, KeyValueCache cache, Operand<TInt32> start, boolean fresh) {
    long c = GraphScope.staticDim(x, 1);
    long headDim = dim / heads;
    Operand<TFloat32> q = splitHeads(query.apply(x), c, headDim);
    KeyValueCache.Write k = cache.writeKeys(splitHeads(key.apply(x), c, headDim), start, fresh);
    KeyValueCache.Write v = cache.writeValues(splitHeads(value.apply(x), c, headDim), start, fresh);
    Operand<TFloat32> scores = tf.math.mul(
        tf.train.batchMatMul(q, k.all(), TFloat32.class, BatchMatMul.adjY(true)), tf.constant((float) (1 / Math.sqrt(headDim))));
    scores = tf.math.add(scores, cache.causalMask(c, start));
    Operand<TFloat32> context = tf.train.batchMatMul(tf.nn.softmax(scores), v.all(), TFloat32.class);
    Operand<TFloat32> merged = tf.reshape(tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3})), tf.constant(new long[] {-1, c, dim}));
    return new Cached(output.apply(merged), java.util.List.of(k.store(), v.store()));
  }

  private Operand<TFloat32> splitHeads(Operand<TFloat32> x, long t, long headDim) {
    Operand<TFloat32> r = tf.reshape(x, tf.constant(new long[] {-1, t, heads, headDim}));
    return tf.linalg.transpose(r, tf.constant(new int[] {0, 2, 1, 3}));
  }

  /** 0 on and below the diagonal, -1e9 above it: added to scores before the softmax. */
  static float[][] causalMask(int t) {
    float[][] m = new float[t][t];
    for (int i = 0; i < t; i++) {
      for (int j = i + 1; j < t; j++) {
        m[i][j] = -1e9f;
      }
    }
    return m;
  }

  /** Forward FLOPs for one sequence of length t: four projections plus the two attention products. */
  public static long flops(long t, long dim) {
    return 4 * 2 * t * dim * dim + 2 * 2 * t * t * dim;
  }
}
