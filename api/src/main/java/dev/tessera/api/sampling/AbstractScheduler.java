package dev.tessera.api.sampling;

/** What every scheduler keeps: its noise schedule and the timesteps of the current run. */
abstract class AbstractScheduler implements Scheduler {
  protected final NoiseSchedule schedule;
  private int[] timesteps;
  private double clipSample;

  AbstractScheduler(NoiseSchedule schedule, int defaultSteps) {
    this.schedule = schedule;
    setTimesteps(Math.min(defaultSteps, schedule.steps()));
  }

  @Override
  public NoiseSchedule schedule() {
    return schedule;
  }

  @Override
  public void setTimesteps(int n) {
    timesteps = Timesteps.evenlySpaced(schedule.steps(), n);
    reset();
  }

  @Override
  public void setClipSample(double range) {
    if (!(range >= 0)) {
      throw new IllegalArgumentException("clip range must be >= 0, got " + range);
    }
    clipSample = range;
  }

  /** The clean sample implied by the prediction, clipped to [-range, range] when clipping is on. */
  protected float[] predictX0(float[] sample, float[] epsilon, int t) {
    float[] x0 = schedule.predictX0(sample, epsilon, t);
    if (clipSample > 0) {
      float r = (float) clipSample;
      for (int i = 0; i < x0.length; i++) {
        x0[i] = Math.max(-r, Math.min(r, x0[i]));
      }
    }
    return x0;
  }

  /** The noise consistent with {@code x0} at (sample, t): after clipping x0, the direction term uses this. */
  protected float[] epsilonOf(float[] sample, float[] x0, int t) {
    if (clipSample <= 0) {
      return null;
    }
    double a = schedule.alphaCumprod(t);
    double sa = Math.sqrt(a);
    double sb = Math.sqrt(1 - a);
    float[] eps = new float[sample.length];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = (float) ((sample[i] - sa * x0[i]) / sb);
    }
    return eps;
  }

  /** The clip range of predicted clean samples; 0: no clipping. */
  protected double clipRange() {
    return clipSample;
  }

  /** Forgets state kept between steps (multistep history). */
  protected void reset() {}

  @Override
  public int[] timesteps() {
    return timesteps.clone();
  }

  /** The timestep after {@code t} in this run, or -1 (clean data) after the last. */
  protected int next(int t) {
    return Timesteps.next(timesteps, t);
  }
}
