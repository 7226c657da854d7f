package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.NativeOps;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Multi-head scaled dot-product self-attention ("Attention Is All You Need", Vaswani et al. 2017)
 * over [B, T, D] with a static T: softmax(Q K^T / sqrt(d_head) + mask) V per head, then an output
 * projection. With {@code causal}, position t attends to positions <= t only.
 *
 * <p>Where the native kernels are loaded ({@link NativeOps}), a whole sequence's q, k and v come
 * from one product with the three kernels side by side, split into heads with their biases by one
 * kernel, and the scale, mask and softmax are one kernel; otherwise TensorFlow's ops do the same.
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
    return output.apply(context(x));
  }

  /** The heads' attention outputs merged back, [B, T, D], before the output projection. */
  Operand<TFloat32> context(Operand<TFloat32> x) {
    long t = GraphScope.staticDim(x, 1);
    Operand<TFloat32> q, k, v;
    if (NativeOps.available()) {
      // One [B*T, D] x [D, 3D] product instead of three, and one kernel adding the biases and
      // splitting q, k and v into heads. The kernels are concatenated on each run (a few hundred
      // KB: less than the product saves when T is a whole sequence; the cached path keeps three).
      Operand<TFloat32> w = tf.concat(java.util.List.of(query.kernel(), key.kernel(), value.kernel()), tf.constant(1));
      Operand<TFloat32> b = tf.concat(java.util.List.of(query.bias(), key.bias(), value.bias()), tf.constant(0));
      Operand<TFloat32> product = tf.reshape(tf.linalg.matMul(tf.reshape(x, tf.constant(new long[] {-1, dim})), w),
          tf.constant(new long[] {-1, t, 3 * dim}));
      java.util.List<Operand<TFloat32>> qkv = NativeOps.splitHeads(tf, product, b, heads, 3);
      q = qkv.get(0);
      k = qkv.get(1);
      v = qkv.get(2);
    } else {
      q = heads(query, x, t);
      k = heads(key, x, t);
      v = heads(value, x, t);
    }
    // [B, H, T, T]
    Operand<TFloat32> scores = bmm(q, k, true);
    Operand<TFloat32> weights = NativeOps.available() ? NativeOps.attentionSoftmax(tf, scores, tf.constant(0), scale(), causal)
        : tf.nn.softmax(causal ? tf.math.add(scaled(scores), tf.constant(causalMask((int) t))) : scaled(scores));
    return mergeHeads(bmm(weights, v, false), t);
  }

  /** The output projection, for a caller that adds its bias in a fused kernel. */
  Dense output() {
    return output;
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
    Cached context = contextCached(x, cache, start, fresh);
    return new Cached(output.apply(context.output()), context.stores());
  }

  /** {@link #applyCached} before the output projection. */
  Cached contextCached(Operand<TFloat32> x, KeyValueCache cache, Operand<TInt32> start, boolean fresh) {
    long c = GraphScope.staticDim(x, 1);
    Operand<TFloat32> q = heads(query, x, c);
    KeyValueCache.Write k = cache.writeKeys(heads(key, x, c), start, fresh);
    KeyValueCache.Write v = cache.writeValues(heads(value, x, c), start, fresh);
    Operand<TFloat32> scores = bmm(q, k.all(), true);
    Operand<TFloat32> weights = NativeOps.available() ? NativeOps.attentionSoftmax(tf, scores, start, scale(), true)
        : tf.nn.softmax(tf.math.add(scaled(scores), cache.causalMask(c, start)));
    Operand<TFloat32> context = bmm(weights, v.all(), false);
    return new Cached(mergeHeads(context, c), java.util.List.of(k.store(), v.store()));
  }

  /** A projection of x [B, T, D] split into heads [B, H, T, Dh], its bias added in the same kernel where they are native. */
  private Operand<TFloat32> heads(Dense projection, Operand<TFloat32> x, long t) {
    if (NativeOps.available()) {
      return NativeOps.splitHeads(tf, projection.product(x), projection.bias(), heads);
    }
    return splitHeads(projection.apply(x), t);
  }

  private Operand<TFloat32> bmm(Operand<TFloat32> a, Operand<TFloat32> b, boolean adjY) {
    return AttentionOps.bmm(tf, a, b, adjY);
  }

  private float scale() {
    return (float) (1 / Math.sqrt(dim / heads));
  }

  private Operand<TFloat32> scaled(Operand<TFloat32> scores) {
    return tf.math.mul(scores, tf.constant(scale()));
  }

  private Operand<TFloat32> mergeHeads(Operand<TFloat32> context, long t) {
    return AttentionOps.mergeHeads(tf, context, t, dim);
  }

  private Operand<TFloat32> splitHeads(Operand<TFloat32> x, long t) {
    return AttentionOps.splitHeads(tf, x, t, heads, dim);
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
