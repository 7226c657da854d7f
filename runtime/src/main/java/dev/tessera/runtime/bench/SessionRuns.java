package dev.tessera.runtime.bench;

import dev.tessera.api.graph.TracedRuns;
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
    OpProfile p = profile;
    long t0 = System.nanoTime();
    Result result = p == null ? runner.run() : TracedRuns.tracing(p, () -> TracedRuns.run(runner));
    insideNanos += System.nanoTime() - t0;
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
