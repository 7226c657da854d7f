package dev.tessera.api.sampling;

import java.util.SplittableRandom;

/**
 * DDPM ancestral sampling (Ho et al. 2020, eq. 7): x_prev ~ N(mu(x_t, x0), beta_tilde), with the
 * posterior mean of q(x_prev | x_t, x0) and x0 from the epsilon prediction. With fewer steps
 * than training timesteps, alphas are those of the chosen timesteps (as diffusers does).
 */
public final class DdpmScheduler extends AbstractScheduler {

  public DdpmScheduler(NoiseSchedule schedule) {
    super(schedule, schedule.steps());
  }

  @Override
  public String name() {
    return "ddpm";
  }




  @Override
  public float[] step(float[] epsilon, int t, float[] sample, SplittableRandom random) {
    int prev = next(t);
    double aT = schedule.alphaCumprod(t);
    double aPrev = schedule.alphaCumprod(prev);
    double alphaT = aT / aPrev;
    double betaT = 1 - alphaT;
    float[] x0 = predictX0(sample, epsilon, t);
    double coefX0 = Math.sqrt(aPrev) * betaT / (1 - aT);
    double coefXt = Math.sqrt(alphaT) * (1 - aPrev) / (1 - aT);
    double variance = Math.max((1 - aPrev) / (1 - aT) * betaT, 1e-20);
    float[] noise = prev >= 0 ? Scheduler.gaussian(sample.length, random) : null;
    float[] out = new float[sample.length];
    for (int i = 0; i < out.length; i++) {
      double mean = coefX0 * x0[i] + coefXt * sample[i];
      out[i] = (float) (noise == null ? mean : mean + Math.sqrt(variance) * noise[i]);
    }
    return out;
  }
}
