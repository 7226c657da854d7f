package dev.tessera.api.sampling;

import java.util.SplittableRandom;

/**
 * Euler ancestral over Karras sigmas (k-diffusion's {@code sample_euler_ancestral}, diffusers'
 * {@code EulerAncestralDiscreteScheduler} with {@code use_karras_sigmas}): from sigma to the next
 * sigma', step deterministically down to sigma_down and add fresh noise of sigma_up, with
 * sigma_up = sqrt(sigma'^2 (sigma^2 - sigma'^2) / sigma^2) and sigma_down = sqrt(sigma'^2 -
 * sigma_up^2). One model evaluation per step; stochastic, so it forgets early mistakes.
 */
public final class EulerAncestralScheduler extends SigmaSpaceScheduler {
  public EulerAncestralScheduler(NoiseSchedule schedule) {
    super(schedule, 30);
  }

  @Override
  public String name() {
    return "euler-a";
  }

  @Override
  public int[] timesteps() {
    return sigmaSteps();
  }

  @Override
  public float[] step(float[] epsilon, int t, float[] sample, SplittableRandom random) {
    int i = indexOf(t);
    double sigma = sigmaAt(i);
    double next = sigmaAt(i + 1);
    double up = Math.min(next, Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma)));
    double down = Math.sqrt(next * next - up * up);
    float[] d = derivative(sample, epsilon, sigma);
    float[] noise = up > 0 ? Scheduler.gaussian(sample.length, random) : null;
    float[] out = new float[sample.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = (float) (sample[k] + d[k] * (down - sigma) + (noise != null ? noise[k] * up : 0));
    }
    return out;
  }
}
