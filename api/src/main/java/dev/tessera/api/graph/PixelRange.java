package dev.tessera.api.graph;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Images enter Tessera in [0, 1]; networks that work in [-1, 1] (diffusion, discriminators, encoders) map them here. */
public final class PixelRange {
  private PixelRange() {}

  /** 2x - 1: [0, 1] to [-1, 1]. */
  public static Operand<TFloat32> toSigned(Ops tf, Operand<TFloat32> images) {
    return tf.math.sub(tf.math.mul(images, tf.constant(2f)), tf.constant(1f));
  }
}
