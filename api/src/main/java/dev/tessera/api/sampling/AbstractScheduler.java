package dev.tessera.api.sampling;

/** What every scheduler keeps: its noise schedule and the timesteps of the current run. */
abstract class AbstractScheduler implements Scheduler {
  protected final NoiseSchedule schedule;
  private int[] timesteps;

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
