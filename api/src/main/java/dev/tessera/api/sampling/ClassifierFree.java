package dev.tessera.api.sampling;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Classifier-free guidance (Ho and Salimans 2022): eps = eps_u + s (eps_c - eps_u), from one model
 * trained with its condition dropped some of the time. Scale 1 is the conditional prediction, 0 the
 * unconditional one, larger scales trade diversity for match to the condition.
 */
public final class ClassifierFree {
  private ClassifierFree() {}

  public static Operand<TFloat32> combine(Ops tf, Operand<TFloat32> conditional, Operand<TFloat32> unconditional, float scale) {
    return combine(tf, conditional, unconditional, tf.constant(scale));
  }

  /** With the scale as a graph input (a scalar), so one graph serves every scale. */
  public static Operand<TFloat32> combine(Ops tf, Operand<TFloat32> conditional, Operand<TFloat32> unconditional, Operand<TFloat32> scale) {
    return tf.math.add(unconditional, tf.math.mul(scale, tf.math.sub(conditional, unconditional)));
  }
}
