package dev.tessera.plugins.clip;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.layers.Dense;
import dev.tessera.api.layers.LayerNorm;
import dev.tessera.api.layers.TokenEmbedding;
import dev.tessera.api.layers.TransformerBlock;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import dev.tessera.api.spi.Encoder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * CLIP's text transformer: token + position embeddings, pre-norm blocks with causal
 * self-attention, a final layer norm, the features at the end token (the largest id in each
 * row, as in OpenAI's code), a linear projection, L2-normalised.
 */
final class ClipTextTower {
  private ClipTextTower() {}

  /** @param tokens [B, text_length] CLIP token ids, padded with 0 after the end token */
  static Operand<TFloat32> build(GraphScope scope, ClipConfig c, Operand<TInt32> tokens) {
    return buildStates(scope, c, tokens).embedding();
  }

  /**
   * The same tower, giving its per-token states (after the final layer norm) and the mask of the
   * positions up to the end token besides the embedding.
   */
  static Encoder.TextStates buildStates(GraphScope scope, ClipConfig c, Operand<TInt32> tokens) {
    Ops tf = scope.tf();
    long length = GraphScope.staticDim(tokens, 1);
    if (length != c.textLength()) {
      throw new IllegalArgumentException("the text encoder takes " + c.textLength() + " token ids per prompt, got " + length);
    }
    Operand<TInt32> rows = c.vocabulary() == null ? tokens : tf.gather(tf.constant(rowOfId(c.vocabulary())), tokens, tf.constant(0));
    Operand<TFloat32> x = new TokenEmbedding(scope.child("token_embedding"), c.embeddingRows(), c.textWidth()).apply(rows);
    x = tf.math.add(x, scope.weight("position_embedding", new long[] {length, c.textWidth()}, Initializers.normal(0.01)));
    java.util.List<TransformerBlock> blocks = new java.util.ArrayList<>();
    for (int i = 0; i < c.textLayers(); i++) {
      blocks.add(new TransformerBlock(scope.child("layer" + i), c.textWidth(), c.textHeads(), c.mlpRatio(), true, c.activation()));
    }
    x = TransformerBlock.applyAll(blocks, x, new LayerNorm(scope.child("ln_final"), c.textWidth()));
    // [B, L]: 1 at the end token (the largest id in each row, as in OpenAI's code)
    Operand<TFloat32> end = tf.oneHot(tf.math.argMax(tokens, tf.constant(1), TInt32.class), tf.constant((int) length), tf.constant(1f),
        tf.constant(0f));
    Operand<TFloat32> features = tf.reduceSum(tf.math.mul(x, tf.expandDims(end, tf.constant(-1))), tf.constant(1), ReduceSum.keepDims(false));
    Operand<TFloat32> projected = new Dense(scope.child("projection"), c.textWidth(), c.embedDim(), false).apply(features);
    // 1 up to and including the end token: 1 - (the exclusive running sum of the end's one-hot)
    Operand<TFloat32> mask = tf.math.sub(tf.constant(1f), tf.math.cumsum(end, tf.constant(1), Cumsum.exclusive(true)));
    return new Encoder.TextStates(x, mask, Embeddings.l2Normalize(tf, projected));
  }

  /** CLIP id -> embedding row: row 0 for ids outside the vocabulary, 1.. for the listed ids. */
  static int[] rowOfId(int[] vocabulary) {
    int[] rows = new int[ClipConfig.FULL_VOCABULARY];
    Arrays.fill(rows, 0);
    for (int i = 0; i < vocabulary.length; i++) {
      rows[vocabulary[i]] = i + 1;
    }
    return rows;
  }

  /** Forward FLOPs for one prompt. */
  static long flops(ClipConfig c) {
    return c.textLayers() * TransformerBlock.flops(c.textLength(), c.textWidth(), c.mlpRatio())
        + 2L * c.textWidth() * c.embedDim();
  }
}
