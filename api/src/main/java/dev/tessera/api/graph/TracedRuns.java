package dev.tessera.api.graph;

import java.util.function.Supplier;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Session runs made inside a plugin (a prior's sampling loop, say) that a caller can trace: a
 * plugin runs its runners through {@link #run}, which is a plain {@code runner.run()} unless the
 * current thread is inside {@link #tracing}; then each run asks TensorFlow for full step stats
 * and hands them to the listener. This is how {@code ./tessera bench --profile} sees into loops
 * whose session calls it does not make itself.
 */
public final class TracedRuns {
  /** Receives the step stats of each traced run and its wall time. */
  @FunctionalInterface
  public interface Listener {
    void ran(RunMetadata metadata, long nanos);
  }

  private static final RunOptions FULL_TRACE = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
  private static final ThreadLocal<Listener> LISTENER = new ThreadLocal<>();

  private TracedRuns() {}

  /** Runs the runner; traced while this thread is inside {@link #tracing}. The caller owns the result. */
  public static Result run(Session.Runner runner) {
    Listener listener = LISTENER.get();
    if (listener == null) {
      return runner.run();
    }
    runner.setOptions(FULL_TRACE);
    long t0 = System.nanoTime();
    Result result = runner.runAndFetchMetadata();
    long nanos = System.nanoTime() - t0;
    result.getMetadata().ifPresent(m -> listener.ran(m, nanos));
    return result;
  }

  /** Does {@code work} with every {@link #run} of this thread traced into {@code listener}. */
  public static <T> T tracing(Listener listener, Supplier<T> work) {
    Listener previous = LISTENER.get();
    LISTENER.set(listener);
    try {
      return work.get();
    } finally {
      if (previous == null) {
        LISTENER.remove();
      } else {
        LISTENER.set(previous);
      }
    }
  }
}
