package dev.tessera.api.sampling;

/**
 * What the samplers of Karras et al. (2022) share. They move a sample in sigma space, x = x0 +
 * sigma eps, from sigma_max to 0 over {@link KarrasSigmas}; an epsilon-prediction model trained on
 * the variance-preserving x_t = x / sqrt(sigma^2 + 1) gets that as its input ({@link
 * #scaleModelInput}), and the run starts from noise of scale sigma_max ({@link #initNoiseSigma}),
 * as diffusers' {@code init_noise_sigma} and {@code scale_model_input} say. The sample after the
 * last step is the clean one, as with the other schedulers.
 */
public abstract class SigmaSpaceScheduler extends AbstractScheduler {
  private int[] sigmaSteps;

  protected SigmaSpaceScheduler(NoiseSchedule schedule, int defaultSteps) {
    super(schedule, defaultSteps);
  }

  /** Subclasses list the model evaluations of a run: the distinct timesteps, some repeated. */
  @Override
  public abstract int[] timesteps();

  @Override
  public void setTimesteps(int n) {
    sigmaSteps = KarrasSigmas.timesteps(schedule, n);
    reset();
  }

  /** The distinct timesteps of the run, high noise first (what {@link #timesteps()} repeats for two-evaluation steps). */
  protected int[] sigmaSteps() {
    return sigmaSteps.clone();
  }

  /** Sigma of the run's step {@code i} (0 past the last). */
  protected double sigmaAt(int i) {
    return i < sigmaSteps.length ? KarrasSigmas.sigma(schedule, sigmaSteps[i]) : 0;
  }

  /** Index of timestep {@code t} among the run's distinct timesteps. */
  protected int indexOf(int t) {
    for (int i = 0; i < sigmaSteps.length; i++) {
      if (sigmaSteps[i] == t) {
        return i;
      }
    }
    throw new IllegalArgumentException("timestep " + t + " is not one of this run's");
  }

  @Override
  public double initNoiseSigma() {
    return sigmaAt(0);
  }

  @Override
  public float[] scaleModelInput(float[] sample, int t) {
    double c = 1 / Math.sqrt(Math.pow(KarrasSigmas.sigma(schedule, t), 2) + 1);
    float[] out = new float[sample.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (sample[i] * c);
    }
    return out;
  }

  /**
   * dx/dsigma at (sample, sigma) for noise prediction {@code epsilon}: (x - x0) / sigma with x0 =
   * x - sigma eps, clipped to [-range, range] when clipping is on (then no longer just eps).
   */
  protected float[] derivative(float[] sample, float[] epsilon, double sigma) {
    if (clipRange() <= 0) {
      return epsilon.clone();
    }
    float r = (float) clipRange();
    float[] d = new float[sample.length];
    for (int i = 0; i < d.length; i++) {
      float x0 = Math.max(-r, Math.min(r, (float) (sample[i] - sigma * epsilon[i])));
      d[i] = (float) ((sample[i] - x0) / sigma);
    }
    return d;
  }

  @Override
  public float[] addNoise(float[] x0, float[] noise, int t) {
    // In sigma space: x0 + sigma eps (the variance-preserving sample times sqrt(sigma^2 + 1)).
    double s = KarrasSigmas.sigma(schedule, t);
    float[] out = new float[x0.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (x0[i] + s * noise[i]);
    }
    return out;
  }
}
