package dev.tessera.api.sampling;

import java.util.SplittableRandom;

/**
 * The reverse-diffusion loop every diffusion sampler runs in Java: start from Gaussian noise, ask
 * the model for its noise prediction at each of the scheduler's timesteps, step. The model is any
 * function (one session run of a U-Net over images, of an MLP over embeddings).
 */
public final class SamplingLoop {
  private SamplingLoop() {}

  /** The model's noise prediction for {@code sample} at timestep {@code t}. */
  @FunctionalInterface
  public interface Denoiser {
    float[] epsilon(float[] sample, int t);
  }

  /** Told after each step: steps done so far in this loop, and the loop's steps. */
  @FunctionalInterface
  public interface StepListener {
    void afterStep(int done, int total);
  }

  /**
   * @param size values per sample batch (count x values per sample)
   * @param random source of the starting noise and of stochastic steps
   * @param listener may be null
   * @return the final sample (scale and clip it as the data requires)
   */
  public static float[] run(Scheduler scheduler, int size, Denoiser model, SplittableRandom random, StepListener listener) {
    float[] sample = Scheduler.gaussian(size, random);
    double init = scheduler.initNoiseSigma();
    if (init != 1) {
      for (int i = 0; i < sample.length; i++) {
        sample[i] = (float) (sample[i] * init);
      }
    }
    int[] timesteps = scheduler.timesteps();
    for (int i = 0; i < timesteps.length; i++) {
      float[] epsilon = model.epsilon(scheduler.scaleModelInput(sample, timesteps[i]), timesteps[i]);
      sample = scheduler.step(epsilon, timesteps[i], sample, random);
      if (listener != null) {
        listener.afterStep(i + 1, timesteps.length);
      }
    }
    return sample;
  }
}
