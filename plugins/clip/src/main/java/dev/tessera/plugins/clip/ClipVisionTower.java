package dev.tessera.plugins.clip;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.Dense;
import dev.tessera.api.layers.LayerNorm;
import dev.tessera.api.layers.TransformerBlock;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * CLIP's image encoder, a Vision Transformer (Dosovitskiy et al. 2021): non-overlapping patches
 * embedded by a strided convolution, a class token, position embeddings, a pre-layer-norm,
 * transformer blocks, the class token's features layer-normed and projected, L2-normalised.
 */
final class ClipVisionTower {
  private ClipVisionTower() {}

  /** @param images [B, S, S, C] in [0, 1] */
  static Operand<TFloat32> build(GraphScope scope, ClipConfig c, Operand<TFloat32> images) {
    return build(scope, c, images, null);
  }

  /** The tokens [B, patches + 1, width] after each transformer block: features at every depth. */
  static List<Operand<TFloat32>> features(GraphScope scope, ClipConfig c, Operand<TFloat32> images) {
    List<Operand<TFloat32>> out = new java.util.ArrayList<>();
    build(scope, c, images, out);
    return out;
  }

  private static Operand<TFloat32> build(GraphScope scope, ClipConfig c, Operand<TFloat32> images, List<Operand<TFloat32>> blockOutputs) {
    InputShapes.requireLastAxis(images, c.channels(), "CLIP images (channels)");
    Ops tf = scope.tf();
    int w = c.visionWidth();
    int n = c.patches();
    // (x - mean) / std per channel: 0.5 / 0.5 by default, OpenAI's statistics for imported weights.
    Operand<TFloat32> x = tf.math.div(tf.math.sub(images, tf.constant(c.imageMean())), tf.constant(c.imageStd()));
    Operand<TFloat32> patches = new Conv2d(scope.child("patch_embedding"), c.channels(), w, c.patchSize(), c.patchSize(), "VALID", false).apply(x);
    patches = tf.reshape(patches, tf.constant(new long[] {-1, n, w}));
    Operand<TFloat32> classToken = scope.weight("class_embedding", new long[] {1, 1, w}, Initializers.normal(0.02));
    Operand<TInt32> batch = tf.slice(tf.shape(images), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TFloat32> classTokens = tf.tile(classToken, tf.concat(List.of(batch, tf.constant(new int[] {1, 1})), tf.constant(0)));
    x = tf.concat(List.of(classTokens, patches), tf.constant(1));
    x = tf.math.add(x, scope.weight("position_embedding", new long[] {n + 1, w}, Initializers.normal(0.02)));
    x = new LayerNorm(scope.child("ln_pre"), w).apply(x);
    for (int i = 0; i < c.visionLayers(); i++) {
      x = new TransformerBlock(scope.child("layer" + i), w, c.visionHeads(), c.mlpRatio(), false, c.activation()).apply(x);
      if (blockOutputs != null) {
        blockOutputs.add(x);
      }
    }
    if (blockOutputs != null) {
      return null; // only the features were asked for: build no head
    }
    Operand<TFloat32> cls = tf.gather(x, tf.constant(0), tf.constant(1));
    cls = new LayerNorm(scope.child("ln_post"), w).apply(cls);
    Operand<TFloat32> projected = new Dense(scope.child("projection"), w, c.embedDim(), false).apply(cls);
    return Embeddings.l2Normalize(tf, projected);
  }

  /** Forward FLOPs for one image. */
  static long flops(ClipConfig c) {
    long tokens = c.patches() + 1;
    return Conv2d.flops(c.imageSize() / c.patchSize(), c.imageSize() / c.patchSize(), c.patchSize(), c.channels(), c.visionWidth())
        + c.visionLayers() * TransformerBlock.flops(tokens, c.visionWidth(), c.mlpRatio())
        + 2L * c.visionWidth() * c.embedDim();
  }
}
