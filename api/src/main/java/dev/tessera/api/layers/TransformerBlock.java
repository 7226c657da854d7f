package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.NativeOps;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Pre-norm transformer block as in GPT-2 and CLIP: x + attn(LN(x)), then x + MLP(LN(x)) with a
 * GELU MLP of width {@code mlpRatio * dim}.
 */
public final class TransformerBlock {
  private final Ops tf;
  private final LayerNorm norm1;
  private final MultiHeadAttention attention;
  private final LayerNorm norm2;
  private final Dense fc1;
  private final Dense fc2;
  private final String activation;

  public TransformerBlock(GraphScope scope, long dim, int heads, int mlpRatio, boolean causal) {
    this(scope, dim, heads, mlpRatio, causal, "gelu");
  }

  /** @param activation of the MLP, by {@link Activations#byName} name ("gelu", "quick_gelu", ...) */
  public TransformerBlock(GraphScope scope, long dim, int heads, int mlpRatio, boolean causal, String activation) {
    this.tf = scope.tf();
    this.activation = activation;
    this.norm1 = new LayerNorm(scope.child("ln1"), dim);
    this.attention = new MultiHeadAttention(scope.child("attn"), dim, heads, causal);
    this.norm2 = new LayerNorm(scope.child("ln2"), dim);
    this.fc1 = new Dense(scope.child("fc1"), dim, dim * mlpRatio);
    this.fc2 = new Dense(scope.child("fc2"), dim * mlpRatio, dim);
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    Operand<TFloat32> h = tf.math.add(x, attention.apply(norm1.apply(x)));
    return tf.math.add(h, fc2.apply(hidden(norm2.apply(h))));
  }

  /** {@link #apply} for a chunk of positions of a causal sequence, over cached keys and values. */
  public MultiHeadAttention.Cached applyCached(Operand<TFloat32> x, KeyValueCache cache, Operand<org.tensorflow.types.TInt32> start, boolean fresh) {
    MultiHeadAttention.Cached a = attention.applyCached(norm1.apply(x), cache, start, fresh);
    Operand<TFloat32> h = tf.math.add(x, a.output());
    return new MultiHeadAttention.Cached(tf.math.add(h, fc2.apply(hidden(norm2.apply(h)))), a.stores());
  }

  /** Forward FLOPs for one sequence of length t. */
  public static long flops(long t, long dim, int mlpRatio) {
    return MultiHeadAttention.flops(t, dim) + 2 * 2 * t * dim * dim * mlpRatio;
  }

  /** The MLP's hidden layer: bias and GELU in one native kernel where it is loaded. */
  private Operand<TFloat32> hidden(Operand<TFloat32> x) {
    if (activation.equals("gelu") && fc1.bias() != null && NativeOps.available()) {
      return NativeOps.biasGelu(tf, fc1.product(x), fc1.bias());
    }
    return Activations.byName(tf, activation, fc1.apply(x));
  }
}
