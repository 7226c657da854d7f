package dev.tessera.api.sampling;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The forward (noising) process of a noise schedule inside a graph, for training losses:
 * x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, with per-example timesteps. Works for any rank of
 * x0 ([N, D] embeddings or [N, H, W, C] images).
 */
public final class ForwardProcess {
  private ForwardProcess() {}

  /**
   * @param timesteps [N] integer timesteps in [0, T)
   */
  public static Operand<TFloat32> addNoise(Ops tf, NoiseSchedule schedule, Operand<TFloat32> x0, Operand<TFloat32> noise,
      Operand<TInt32> timesteps, int rank) {
    float[] signal = new float[schedule.steps()];
    float[] noiseScale = new float[schedule.steps()];
    for (int t = 0; t < signal.length; t++) {
      double a = schedule.alphaCumprod(t);
      signal[t] = (float) Math.sqrt(a);
      noiseScale[t] = (float) Math.sqrt(1 - a);
    }
    int[] perExample = new int[rank];
    java.util.Arrays.fill(perExample, 1);
    perExample[0] = -1;
    Operand<TInt32> shape = tf.constant(perExample);
    Operand<TFloat32> a = tf.reshape(tf.gather(tf.constant(signal), timesteps, tf.constant(0)), shape);
    Operand<TFloat32> s = tf.reshape(tf.gather(tf.constant(noiseScale), timesteps, tf.constant(0)), shape);
    return tf.math.add(tf.math.mul(a, x0), tf.math.mul(s, noise));
  }
}
