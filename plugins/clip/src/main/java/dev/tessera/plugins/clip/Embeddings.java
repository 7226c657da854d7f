package dev.tessera.plugins.clip;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/** Helpers shared by the two towers. */
final class Embeddings {
  private Embeddings() {}

  /** x / ||x|| over the last axis: CLIP compares embeddings by cosine similarity. */
  static Operand<TFloat32> l2Normalize(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> squared = tf.reduceSum(tf.math.square(x), tf.constant(-1), ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(tf.math.add(squared, tf.constant(1e-12f))));
  }
}
