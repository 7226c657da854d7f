package dev.tessera.api.train;

import org.tensorflow.Operand;
import org.tensorflow.framework.losses.CosineSimilarity;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * mean(1 - cos(a_i, b_i)) over a batch of embedding pairs [N, E]: how far generated images'
 * CLIP embeddings lie from their prompts' (the CLIP loss of CLIP+GAN). Both sides are
 * L2-normalised here, so unnormalised embeddings work too.
 */
public final class ClipLoss {
  private ClipLoss() {}

  /** TensorFlow Java framework's {@link CosineSimilarity} loss is -mean(cos): this is 1 plus it. */
  private static final CosineSimilarity COSINE = new CosineSimilarity();

  public static Operand<TFloat32> of(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    return tf.math.add(tf.constant(1f), COSINE.call(tf, b, a));
  }
}
