package dev.tessera.api.sampling;

import java.util.SplittableRandom;

/**
 * DDIM (Song et al. 2021, eq. 12): x_prev = sqrt(a_prev) x0 + sqrt(1 - a_prev - sigma^2) eps +
 * sigma z, with sigma = eta sqrt((1 - a_prev)/(1 - a_t)) sqrt(1 - a_t/a_prev). eta = 0 is
 * deterministic; eta = 1 has DDPM's variance.
 */
public final class DdimScheduler extends AbstractScheduler {
  private final double eta;

  public DdimScheduler(NoiseSchedule schedule, double eta) {
    super(schedule, 50);
    if (eta < 0) {
      throw new IllegalArgumentException("eta must be >= 0, got " + eta);
    }
    this.eta = eta;
  }

  @Override
  public String name() {
    return "ddim";
  }




  @Override
  public float[] step(float[] epsilon, int t, float[] sample, SplittableRandom random) {
    int prev = next(t);
    double aT = schedule.alphaCumprod(t);
    double aPrev = schedule.alphaCumprod(prev);
    float[] x0 = predictX0(sample, epsilon, t);
    float[] consistent = epsilonOf(sample, x0, t);
    if (consistent != null) {
      epsilon = consistent;
    }
    double sigma = eta * Math.sqrt((1 - aPrev) / (1 - aT)) * Math.sqrt(1 - aT / aPrev);
    double direction = Math.sqrt(Math.max(0, 1 - aPrev - sigma * sigma));
    float[] noise = sigma > 0 ? Scheduler.gaussian(sample.length, random) : null;
    float[] out = new float[sample.length];
    double sa = Math.sqrt(aPrev);
    for (int i = 0; i < out.length; i++) {
      double v = sa * x0[i] + direction * epsilon[i];
      out[i] = (float) (noise == null ? v : v + sigma * noise[i]);
    }
    return out;
  }
}
