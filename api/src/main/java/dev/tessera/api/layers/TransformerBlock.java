package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.NativeOps;
import java.util.List;
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
    return applyDeferred(new Stream(x, null, null)).sum(tf);
  }

  /** {@link #apply} for a chunk of positions of a causal sequence, over cached keys and values. */
  public MultiHeadAttention.Cached applyCached(Operand<TFloat32> x, KeyValueCache cache, Operand<org.tensorflow.types.TInt32> start, boolean fresh) {
    Deferred out = applyCachedDeferred(new Stream(x, null, null), cache, start, fresh);
    return new MultiHeadAttention.Cached(out.stream().sum(tf), out.stores());
  }

  /**
   * The blocks in order, then {@code norm}: the same as applying each and then the norm, with each
   * block's last residual add done inside the next norm's kernel (where the kernels are native).
   */
  public static Operand<TFloat32> applyAll(List<TransformerBlock> blocks, Operand<TFloat32> x, LayerNorm norm) {
    Stream s = new Stream(x, null, null);
    for (TransformerBlock b : blocks) {
      s = b.applyDeferred(s);
    }
    return s.normed(norm);
  }

  /** {@link #applyAll} for a chunk of a causal sequence over the blocks' key/value caches; the outputs after the norm. */
  public static MultiHeadAttention.Cached applyAllCached(List<TransformerBlock> blocks, List<KeyValueCache> caches, Operand<TFloat32> x,
      LayerNorm norm, Operand<org.tensorflow.types.TInt32> start, boolean fresh) {
    Stream s = new Stream(x, null, null);
    List<org.tensorflow.op.Op> stores = new java.util.ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      Deferred out = blocks.get(i).applyCachedDeferred(s, caches.get(i), start, fresh);
      s = out.stream();
      stores.addAll(out.stores());
    }
    return new MultiHeadAttention.Cached(s.normed(norm), stores);
  }

  /** A residual stream x + (res + bias) whose last add is left to the norm that reads it (res null: just x). */
  private record Stream(Operand<TFloat32> x, Operand<TFloat32> res, Operand<TFloat32> bias) {
    Operand<TFloat32> sum(Ops tf) {
      return LayerNorm.residualSum(tf, x, res, bias);
    }

    LayerNorm.Residual normedWithSum(LayerNorm norm) {
      return norm.applyResidual(x, res, bias);
    }

    Operand<TFloat32> normed(LayerNorm norm) {
      return normedWithSum(norm).normed();
    }
  }

  private record Deferred(Stream stream, List<org.tensorflow.op.Op> stores) {}

  private Stream applyDeferred(Stream in) {
    LayerNorm.Residual x = in.normedWithSum(norm1);
    return afterAttention(x.sum(), attention.context(x.normed()));
  }

  private Deferred applyCachedDeferred(Stream in, KeyValueCache cache, Operand<org.tensorflow.types.TInt32> start, boolean fresh) {
    LayerNorm.Residual x = in.normedWithSum(norm1);
    MultiHeadAttention.Cached a = attention.contextCached(x.normed(), cache, start, fresh);
    return new Deferred(afterAttention(x.sum(), a.output()), a.stores());
  }

  /**
   * h = x + the attention's output projection of its context, then h + MLP(LN(h)), its last add
   * deferred; the projection's bias, the residual add and the norm in one kernel where they are native.
   */
  private Stream afterAttention(Operand<TFloat32> x, Operand<TFloat32> context) {
    Dense out = attention.output();
    LayerNorm.Residual h = norm2.applyResidual(x, out.product(context), out.bias());
    return new Stream(h.sum(), fc2.product(hidden(h.normed())), fc2.bias());
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
