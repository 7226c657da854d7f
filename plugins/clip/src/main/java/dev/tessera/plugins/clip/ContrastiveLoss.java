package dev.tessera.plugins.clip;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * CLIP's symmetric InfoNCE loss: for a batch of matching (image, text) pairs, cross-entropy of
 * the scaled cosine-similarity matrix against the diagonal, averaged over the image->text and
 * text->image directions. The temperature is learned as log(scale), clamped so scale <= 100.
 */
final class ContrastiveLoss {
  final Operand<TFloat32> loss;
  final Operand<TFloat32> accuracy;
  final Operand<TFloat32> scale;

  /**
   * @param images [B, E] unit length
   * @param texts [B, E] unit length
   * @param logScale scalar parameter, initialised to ln(1/0.07)
   */
  ContrastiveLoss(Ops tf, Operand<TFloat32> images, Operand<TFloat32> texts, Operand<TFloat32> logScale) {
    this.scale = tf.math.exp(tf.math.minimum(logScale, tf.constant(ClipConfig.LOGIT_SCALE_MAX)));
    Operand<TFloat32> logits = tf.math.mul(tf.linalg.matMul(images, texts, MatMul.transposeB(true)), scale);
    Operand<TInt32> n = tf.slice(tf.shape(images), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> indices = tf.range(tf.constant(0), tf.reshape(n, tf.constant(new int[0])), tf.constant(1));
    Operand<TFloat32> diagonal = tf.oneHot(indices, tf.reshape(n, tf.constant(new int[0])), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> imageToText = crossEntropy(tf, logits, diagonal);
    Operand<TFloat32> textToImage = crossEntropy(tf, tf.linalg.transpose(logits, tf.constant(new int[] {1, 0})), diagonal);
    this.loss = tf.math.mul(tf.math.add(imageToText, textToImage), tf.constant(0.5f));
    Operand<TFloat32> hits = tf.dtypes.cast(tf.math.equal(tf.math.argMax(logits, tf.constant(1), TInt32.class), indices), TFloat32.class);
    this.accuracy = tf.math.mean(hits, tf.constant(0));
  }

  private static Operand<TFloat32> crossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> targets) {
    Operand<TFloat32> logProbs = tf.nn.logSoftmax(logits);
    return tf.math.neg(tf.math.mean(tf.reduceSum(tf.math.mul(logProbs, targets), tf.constant(1)), tf.constant(0)));
  }
}
