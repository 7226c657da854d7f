package dev.tessera.api.sampling;

import java.util.SplittableRandom;

/**
 * Heun's second-order method over Karras sigmas (Karras et al. 2022, algorithm 1 without churn;
 * diffusers' {@code HeunDiscreteScheduler}): an Euler step from sigma to sigma', the model asked
 * again there, and the step redone with the mean of the two slopes; the last step, to sigma 0, is
 * Euler's. Deterministic; two model evaluations per step, so {@link #timesteps()} lists each
 * timestep but the first twice, and {@link #step} is called once per evaluation in that order.
 */
public final class HeunScheduler extends SigmaSpaceScheduler {
  private int evaluations;
  private float[] firstSlope;
  private float[] start;

  public HeunScheduler(NoiseSchedule schedule) {
    super(schedule, 20);
  }

  @Override
  public String name() {
    return "heun";
  }

  @Override
  protected void reset() {
    evaluations = 0;
    firstSlope = null;
    start = null;
  }

  @Override
  public int[] timesteps() {
    int[] distinct = sigmaSteps();
    int[] out = new int[2 * distinct.length - 1];
    out[0] = distinct[0];
    for (int i = 1; i < distinct.length; i++) {
      out[2 * i - 1] = distinct[i];
      out[2 * i] = distinct[i];
    }
    return out;
  }

  @Override
  public float[] step(float[] epsilon, int t, float[] sample, SplittableRandom random) {
    int[] order = timesteps();
    if (evaluations >= order.length || order[evaluations] != t) {
      throw new IllegalArgumentException("Heun expects timestep " + (evaluations < order.length ? order[evaluations] : "none")
          + " next, got " + t + ": call step once per entry of timesteps(), in order");
    }
    boolean second = evaluations % 2 == 1;
    int i = (evaluations + 1) / 2 - (second ? 1 : 0); // the step this evaluation belongs to
    evaluations++;
    double sigma = sigmaAt(i);
    double next = sigmaAt(i + 1);
    if (!second) {
      float[] d = derivative(sample, epsilon, sigma);
      float[] euler = new float[sample.length];
      for (int k = 0; k < euler.length; k++) {
        euler[k] = (float) (sample[k] + d[k] * (next - sigma));
      }
      if (next > 0) {
        firstSlope = d;
        start = sample.clone();
      }
      return euler;
    }
    float[] d2 = derivative(sample, epsilon, next);
    float[] out = new float[sample.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = (float) (start[k] + (firstSlope[k] + d2[k]) / 2 * (next - sigma));
    }
    firstSlope = null;
    start = null;
    return out;
  }
}
