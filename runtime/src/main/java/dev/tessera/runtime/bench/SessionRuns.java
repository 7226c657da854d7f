package dev.tessera.runtime.bench;

import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * Runs a workload's session runners and keeps what a benchmark needs of them: the time spent
 * inside {@code Session.Runner.run} (so that the rest of a step, feeding, fetching and Java
 * work, can be reported as a share), and, while a profile is attached, the step stats of each run.
 */
public final class SessionRuns {
  private long insideNanos;
  private OpProfile profile;

  /** Runs the runner (traced while a profile is attached); the caller owns the result. */
  public Result run(Session.Runner runner) {
    if (profile != null) {
      runner.setOptions(OpProfile.FULL_TRACE);
    }
    long t0 = System.nanoTime();
    Result result = profile != null ? runner.runAndFetchMetadata() : runner.run();
    long nanos = System.nanoTime() - t0;
    insideNanos += nanos;
    if (profile != null) {
      OpProfile p = profile;
      result.getMetadata().ifPresent(m -> p.add(m, nanos / 1000));
    }
    return result;
  }

  /** Runs and closes the result (for runs whose outputs are not read). */
  public void runAndClose(Session.Runner runner) {
    run(runner).close();
  }

  /** Nanoseconds inside session runs so far. */
  public long insideNanos() {
    return insideNanos;
  }

  /** Traces the following runs into {@code p} (null stops tracing). */
  public void trace(OpProfile p) {
    this.profile = p;
  }
}
