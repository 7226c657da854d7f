package dev.tessera.api.train;

import org.tensorflow.Operand;
import org.tensorflow.framework.losses.CategoricalCrossentropy;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Softmax cross-entropy of class logits against integer labels (TensorFlow Java framework's
 * {@link CategoricalCrossentropy} on one-hot labels: its sparse variant builds
 * SparseSoftmaxCrossEntropyWithLogits, for which TensorFlow's C++ gradient registry has no gradient,
 * so graphs built from Java cannot train through it), and the accuracy metric beside it.
 */
public final class ClassificationLoss {
  private static final CategoricalCrossentropy CROSS_ENTROPY = new CategoricalCrossentropy(true);

  private ClassificationLoss() {}

  /**
   * @param logits [N, K]
   * @param labels [N] in [0, K)
   * @return the mean over the batch of -log softmax(logits)[label]
   */
  public static Operand<TFloat32> crossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels, int classes) {
    Operand<TFloat32> targets = tf.oneHot(labels, tf.constant(classes), tf.constant(1f), tf.constant(0f));
    return CROSS_ENTROPY.call(tf, targets, logits);
  }

  /** The share of the batch whose largest logit is the label's. */
  public static Operand<TFloat32> accuracy(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels) {
    Operand<TFloat32> correct = tf.dtypes.cast(tf.math.equal(tf.math.argMax(logits, tf.constant(1), TInt32.class), labels), TFloat32.class);
    return tf.math.mean(correct, tf.constant(0));
  }
}
