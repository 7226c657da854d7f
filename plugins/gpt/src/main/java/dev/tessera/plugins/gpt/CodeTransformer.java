package dev.tessera.plugins.gpt;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.layers.Dense;
import dev.tessera.api.layers.KeyValueCache;
import dev.tessera.api.layers.LayerNorm;
import dev.tessera.api.layers.MultiHeadAttention;
import dev.tessera.api.layers.TokenEmbedding;
import dev.tessera.api.layers.TransformerBlock;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The decoder-only transformer of the prior (GPT-2 layout: learned positions, pre-norm causal
 * blocks, final LayerNorm, linear head over the codebook). The sequence is P prefix positions,
 * the CLIP text embedding projected to P vectors, followed by the codes in raster order; the
 * output at the last prefix position predicts the first code, and each code's output the next.
 *
 * <p>Two ways to run it with the same weights: {@link #logits} over the whole sequence (training,
 * and sampling without a cache), and {@link #prefill} / {@link #next} over key/value caches, one
 * position per new code.
 */
final class CodeTransformer {
  private final Ops tf;
  private final GptConfig c;
  private final GraphScope scope;
  private final Dense prefix;
  private final TokenEmbedding tokens;
  private final Operand<TFloat32> positions;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;
  private final Dense head;
  private List<KeyValueCache> caches;

  /** Logits of the next code [B, K] and the ops that store this pass's keys and values. */
  record Step(Operand<TFloat32> logits, List<Op> stores) {}

  CodeTransformer(GraphScope scope, GptConfig c) {
    this.tf = scope.tf();
    this.c = c;
    this.scope = scope;
    this.prefix = new Dense(scope.child("prefix"), c.textDim(), (long) c.prefixLength() * c.dim());
    this.tokens = new TokenEmbedding(scope.child("tokens"), c.codebookSize(), c.dim());
    this.positions = scope.weight("positions", new long[] {c.sequenceLength(), c.dim()}, Initializers.normal(0.02));
    for (int i = 0; i < c.layers(); i++) {
      blocks.add(new TransformerBlock(scope.child("block" + i), c.dim(), c.heads(), c.mlpRatio(), true));
    }
    this.norm = new LayerNorm(scope.child("ln_f"), c.dim());
    this.head = new Dense(scope.child("head"), c.dim(), c.codebookSize());
  }

  /** Text embeddings [B, E] -> prefix vectors [B, P, D]. */
  private Operand<TFloat32> prefixVectors(Operand<TFloat32> text) {
    return tf.reshape(prefix.apply(text), tf.constant(new long[] {-1, c.prefixLength(), c.dim()}));
  }

  private Operand<TFloat32> positions(int start, int length) {
    return tf.slice(positions, tf.constant(new int[] {start, 0}), tf.constant(new int[] {length, (int) c.dim()}));
  }

  /**
   * Teacher-forced logits of every code: text [B, E] and the codes but the last [B, N - 1] ->
   * [B, N, K], where output i predicts code i from the text and codes 0..i-1.
   */
  Operand<TFloat32> logits(Operand<TFloat32> text, Operand<TInt32> previousCodes) {
    Operand<TFloat32> x = tf.concat(List.of(prefixVectors(text), tokens.apply(previousCodes)), tf.constant(1));
    x = tf.math.add(x, positions);
    Operand<TFloat32> out = tf.slice(TransformerBlock.applyAll(blocks, x, norm), tf.constant(new int[] {0, c.prefixLength() - 1, 0}),
        tf.constant(new int[] {-1, c.codes(), (int) c.dim()}));
    return head.apply(out);
  }

  private List<KeyValueCache> caches() {
    if (caches == null) {
      caches = new ArrayList<>();
      for (int i = 0; i < c.layers(); i++) {
        caches.add(new KeyValueCache(scope.child("block" + i).child("kv_cache"), c.sequenceLength()));
      }
    }
    return caches;
  }

  /** Starts sequences: runs the prefix of text [B, E] into fresh caches; logits of the first code. */
  Step prefill(Operand<TFloat32> text) {
    Operand<TFloat32> x = tf.math.add(prefixVectors(text), positions(0, c.prefixLength()));
    return cached(x, tf.constant(0), true);
  }

  /** Feeds the codes [B] at sequence position {@code position} (a scalar); logits of the code after them. */
  Step next(Operand<TInt32> codes, Operand<TInt32> position) {
    Operand<TFloat32> embedded = tokens.apply(tf.expandDims(codes, tf.constant(1))); // [B, 1, D]
    Operand<TFloat32> at = tf.reshape(tf.gather(positions, position, tf.constant(0)), tf.constant(new long[] {1, c.dim()}));
    return cached(tf.math.add(embedded, at), position, false);
  }

  private Step cached(Operand<TFloat32> x, Operand<TInt32> start, boolean fresh) {
    long length = GraphScope.staticDim(x, 1);
    MultiHeadAttention.Cached out = TransformerBlock.applyAllCached(blocks, caches(), x, norm, start, fresh);
    Operand<TFloat32> last = tf.reshape(
        tf.slice(out.output(), tf.constant(new int[] {0, (int) length - 1, 0}), tf.constant(new int[] {-1, 1, (int) c.dim()})),
        tf.constant(new long[] {-1, c.dim()}));
    return new Step(head.apply(last), out.stores());
  }

  /** Forward FLOPs of the teacher-forced pass for one sequence. */
  static long flops(GptConfig c) {
    long t = c.sequenceLength();
    return 2L * c.textDim() * c.prefixLength() * c.dim() + c.layers() * TransformerBlock.flops(t, c.dim(), c.mlpRatio())
        + 2L * c.codes() * c.dim() * c.codebookSize();
  }
}
