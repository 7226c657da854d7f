package dev.tessera.api.train;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * mean(1 - cos(a_i, b_i)) over a batch of embedding pairs [N, E]: how far generated images'
 * CLIP embeddings lie from their prompts' (the CLIP loss of CLIP+GAN). Both sides are
 * L2-normalised here, so unnormalised embeddings work too.
 */
public final class ClipLoss {
  private ClipLoss() {}

  public static Operand<TFloat32> of(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    Operand<TFloat32> cos = tf.reduceSum(tf.math.mul(unit(tf, a), unit(tf, b)), tf.constant(-1));
    return tf.math.mean(tf.math.sub(tf.constant(1f), cos), tf.constant(0));
  }

  private static Operand<TFloat32> unit(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> n = tf.reduceSum(tf.math.square(x), tf.constant(-1), ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(tf.math.add(n, tf.constant(1e-12f))));
  }
}
