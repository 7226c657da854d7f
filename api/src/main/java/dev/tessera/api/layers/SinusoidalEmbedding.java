package dev.tessera.api.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The transformer's sinusoidal position encoding applied to diffusion timesteps (as in DDPM):
 * t -> [sin(t w_0), ..., sin(t w_{d/2-1}), cos(t w_0), ...] with w_i = 10000^(-i / (d/2 - 1)).
 */
public final class SinusoidalEmbedding {
  private SinusoidalEmbedding() {}

  /** @param timesteps [N] float timesteps; returns [N, dim] */
  public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> timesteps, int dim) {
    if (dim < 4 || dim % 2 != 0) {
      throw new IllegalArgumentException("embedding size must be even and >= 4, got " + dim);
    }
    int half = dim / 2;
    float[] frequencies = new float[half];
    for (int i = 0; i < half; i++) {
      frequencies[i] = (float) Math.exp(-Math.log(10000) * i / (half - 1));
    }
    Operand<TFloat32> args = tf.math.mul(tf.expandDims(timesteps, tf.constant(1)), tf.constant(new float[][] {frequencies}));
    return tf.concat(List.of(tf.math.sin(args), tf.math.cos(args)), tf.constant(1));
  }
}
