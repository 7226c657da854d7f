package dev.tessera.api.sampling;

import java.util.SplittableRandom;

/**
 * One sampling algorithm for epsilon-prediction diffusion models, with the three methods of
 * diffusers' schedulers: {@link #setTimesteps}, {@link #step} and {@link #addNoise}. A scheduler
 * is stateful (multistep solvers remember earlier predictions): one instance per sampling run.
 * Samples are flat float arrays (any shape), so the loop in Java feeds and fetches them once per
 * step (TF Java 1.1.0 cannot differentiate graph while-loops).
 */
public interface Scheduler {
  String name();

  NoiseSchedule schedule();

  /** Chooses {@code n} timesteps from T-1 down to 0 and resets any state. */
  void setTimesteps(int n);

  /** The timesteps of the run, in the order {@link #step} is called with them. */
  int[] timesteps();

  /**
   * One step from {@code sample} at timestep {@code t} (one of {@link #timesteps()}) to the sample
   * at the next timestep (the clean sample after t = the last one).
   *
   * @param epsilon the model's noise prediction at (sample, t)
   * @param random source of fresh noise for stochastic schedulers
   */
  float[] step(float[] epsilon, int t, float[] sample, SplittableRandom random);

  /**
   * Clips each predicted clean sample to [-range, range] (diffusers' {@code clip_sample}); 0 turns
   * clipping off, the default. Images in [-1, 1] sample better with 1: early predictions of x0
   * from almost pure noise overshoot.
   */
  default void setClipSample(double range) {
    throw new UnsupportedOperationException("scheduler '" + name() + "' cannot clip samples");
  }

  /**
   * The scale of the noise a run starts from (diffusers' {@code init_noise_sigma}): 1 for the
   * variance-preserving schedulers, sigma_max for those that work in sigma space.
   */
  default double initNoiseSigma() {
    return 1;
  }

  /**
   * What the model is given for the scheduler's {@code sample} at {@code t} (diffusers'
   * {@code scale_model_input}): the sample itself, except in sigma space.
   */
  default float[] scaleModelInput(float[] sample, int t) {
    return sample;
  }

  default float[] addNoise(float[] x0, float[] noise, int t) {
    return schedule().addNoise(x0, noise, t);
  }

  /** Gaussian noise of {@code n} values from the generator (Box-Muller). */
  static float[] gaussian(int n, SplittableRandom random) {
    float[] out = new float[n];
    for (int i = 0; i < n; i += 2) {
      double u1 = Math.max(random.nextDouble(), 1e-300);
      double u2 = random.nextDouble();
      double r = Math.sqrt(-2 * Math.log(u1));
      out[i] = (float) (r * Math.cos(2 * Math.PI * u2));
      if (i + 1 < n) {
        out[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
      }
    }
    return out;
  }
}
