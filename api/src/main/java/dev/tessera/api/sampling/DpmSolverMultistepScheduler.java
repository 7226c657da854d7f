package dev.tessera.api.sampling;

import java.util.SplittableRandom;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, algorithm 2): a second-order multistep solver of the
 * diffusion ODE in data-prediction form, with log-SNR steps lambda = log(alpha/sigma). The first
 * step, and the last one to clean data, are first order (equal to DDIM with eta = 0).
 */
public final class DpmSolverMultistepScheduler extends AbstractScheduler {
  private float[] previousX0;
  private int previousT;

  public DpmSolverMultistepScheduler(NoiseSchedule schedule) {
    super(schedule, 20);
  }

  @Override
  protected void reset() {
    previousX0 = null;
  }

  @Override
  public String name() {
    return "dpm-solver++";
  }




  private double alpha(int t) {
    return Math.sqrt(schedule.alphaCumprod(t));
  }

  private double sigma(int t) {
    return Math.sqrt(1 - schedule.alphaCumprod(t));
  }

  private double lambda(int t) {
    return Math.log(alpha(t)) - Math.log(sigma(t));
  }

  @Override
  public float[] step(float[] epsilon, int t, float[] sample, SplittableRandom random) {
    int next = next(t);
    float[] x0 = predictX0(sample, epsilon, t);
    float[] out = new float[sample.length];
    if (next < 0) {
      // sigma = 0 at the clean end: the solution is the data prediction itself.
      System.arraycopy(x0, 0, out, 0, out.length);
    } else {
      double h = lambda(next) - lambda(t);
      double ratio = sigma(next) / sigma(t);
      double phi = -alpha(next) * Math.expm1(-h); // -alpha_next (e^{-h} - 1)
      boolean secondOrder = previousX0 != null;
      double r = secondOrder ? (lambda(t) - lambda(previousT)) / h : 0;
      for (int i = 0; i < out.length; i++) {
        double d = x0[i];
        if (secondOrder) {
          // D = (1 + 1/(2r)) x0_t - 1/(2r) x0_prev
          d = (1 + 0.5 / r) * x0[i] - (0.5 / r) * previousX0[i];
        }
        out[i] = (float) (ratio * sample[i] + phi * d);
      }
    }
    previousX0 = x0;
    previousT = t;
    return out;
  }
}
