package dev.tessera.api.train;

import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Hinge;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The hinge GAN losses (Lim and Ye 2017; Miyato et al. 2018), over logits of any shape (one per
 * image, or one per patch): the discriminator pushes real logits above +1 and fake ones below -1;
 * the generator raises the fake logits without bound. Shared by VQGAN's PatchGAN and CLIP+GAN. The
 * two halves are TensorFlow Java framework's {@link Hinge} with labels +1 and -1.
 */
public final class HingeLoss {
  private static final Hinge HINGE = new Hinge();

  private HingeLoss() {}

  /** mean(relu(1 - D(real))) + mean(relu(1 + D(fake))). */
  public static Operand<TFloat32> discriminator(Ops tf, Operand<TFloat32> real, Operand<TFloat32> fake) {
    return tf.math.add(belowOne(tf, real), aboveMinusOne(tf, fake));
  }

  /** mean(relu(1 - D(real))): the real half of the discriminator's loss. */
  public static Operand<TFloat32> belowOne(Ops tf, Operand<TFloat32> real) {
    return HINGE.call(tf, labels(tf, real, 1f), real);
  }

  /** mean(relu(1 + D(fake))): the fake half (also used for real images under a mismatched condition). */
  public static Operand<TFloat32> aboveMinusOne(Ops tf, Operand<TFloat32> fake) {
    return HINGE.call(tf, labels(tf, fake, -1f), fake);
  }

  /** The generator's adversarial loss: -mean(D(fake)). */
  public static Operand<TFloat32> generator(Ops tf, Operand<TFloat32> fake) {
    return tf.math.neg(mean(tf, fake));
  }

  /** {@code value} in the shape of {@code x}, behind a stop-gradient (OnesLike has no gradient in TensorFlow's C++ registry). */
  private static Operand<TFloat32> labels(Ops tf, Operand<TFloat32> x, float value) {
    return tf.stopGradient(tf.math.mul(tf.onesLike(x), tf.constant(value)));
  }

  /** Mean over every axis, whatever the rank. */
  static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> x) {
    Operand<TInt32> axes = tf.range(tf.constant(0), tf.rank(x), tf.constant(1));
    return tf.math.mean(x, axes);
  }
}
