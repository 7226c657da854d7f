package dev.tessera.api.testing;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs seeded fuzz cases against one {@link FuzzTarget}. Case {@code i} is damaged from seed
 * {@code firstSeed + i}, then read on a worker thread with a time limit and an allocation budget.
 * A case passes when the file is accepted (and the target found the result right) or refused
 * with the target's own exception naming the file. Everything else fails the campaign: another
 * exception (ArrayIndexOutOfBounds, NegativeArraySize, a leaked Jackson exception, ...), an error
 * (OutOfMemoryError, StackOverflowError), a wrong result, a hang, or an allocation far beyond what
 * a small file can justify. Every failure names the format, the case index and its seed.
 */
public final class FuzzCampaign {
  /** First seed unless {@value #SEED_PROPERTY} is set; replay a failing case by passing its seed there. */
  public static final long DEFAULT_FIRST_SEED = 8_000_000L;

  public static final String SEED_PROPERTY = "tessera.fuzz.seed";

  /** A case that takes longer is a hang: valid inputs here read in milliseconds. */
  public static final Duration CASE_TIME_LIMIT = Duration.ofSeconds(10);

  /**
   * Bytes one case may allocate on the heap. The valid files are a few kilobytes, so more means
   * an array was sized from a length field before the field was checked.
   */
  public static final long CASE_ALLOCATION_LIMIT = 64L << 20;

  private static final int FAILURES_LISTED = 5;

  /** What a campaign did: cases run, accepted, refused, failed (the first few), wall time. */
  public record Report(String format, int cases, long firstSeed, int accepted, int refused, List<String> failures, Duration elapsed) {
    public String summary() {
      return String.format(
          "fuzz %-18s %6d cases from seed %d: %5d accepted, %5d refused, %d failed, %.2f s",
          format, cases, firstSeed, accepted, refused, failures.size(), elapsed.toMillis() / 1000.0);
    }
  }

  /** One read: what it threw (null when it returned) and how many bytes it allocated (-1: unknown). */
  private record Outcome(Throwable thrown, long allocated) {}

  private FuzzCampaign() {}

  /**
   * Runs {@code cases} cases and prints a one-line summary.
   *
   * @throws AssertionError listing the first failures, with the first one's exception as cause
   */
  public static <C> Report run(FuzzTarget<C> target, int cases) {
    long firstSeed = Long.getLong(SEED_PROPERTY, DEFAULT_FIRST_SEED);
    int accepted = 0;
    int refused = 0;
    List<String> failures = new ArrayList<>();
    Throwable firstCause = null;
    long start = System.nanoTime();
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-" + target.format());
      t.setDaemon(true); // a hung case must not keep the JVM alive
      return t;
    });
    int run = 0;
    try {
      checkIntactFileIsAccepted(target, worker);
      for (int i = 0; i < cases; i++, run++) {
        long seed = firstSeed + i;
        String label = target.format() + " case " + i + " (seed " + seed + ")";
        C input;
        try {
          input = target.damage(new SplittableRandom(seed));
        } catch (Exception e) {
          throw new AssertionError(label + ": could not build the damaged file (a bug in the test)", e);
        }
        Future<Outcome> pending = worker.submit(() -> readMeasured(target, input));
        Outcome outcome;
        try {
          outcome = pending.get(CASE_TIME_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          pending.cancel(true);
          failures.add(label + ": " + target.describe(input) + ": did not finish within " + CASE_TIME_LIMIT.toSeconds() + " s");
          run++;
          break; // the worker may be stuck for good; later cases cannot run on it
        } catch (ExecutionException | InterruptedException e) {
          throw new AssertionError(label + ": the fuzz worker failed", e);
        }
        String problem = judge(target, outcome);
        if (problem != null) {
          failures.add(label + ": " + target.describe(input) + ": " + problem);
          firstCause = firstCause == null ? outcome.thrown() : firstCause;
        } else if (outcome.thrown() == null) {
          accepted++;
        } else {
          refused++;
        }
      }
    } finally {
      worker.shutdownNow();
    }
    Report report = new Report(target.format(), run, firstSeed, accepted, refused, List.copyOf(failures),
        Duration.ofNanos(System.nanoTime() - start));
    System.out.println(report.summary());
    failures.forEach(f -> System.out.println("  " + f));
    if (!failures.isEmpty()) {
      StringBuilder message = new StringBuilder(report.summary()).append(" (replay one with -D").append(SEED_PROPERTY)
          .append("=<seed>, it becomes case 0)");
      failures.stream().limit(FAILURES_LISTED).forEach(f -> message.append("\n  ").append(f));
      if (failures.size() > FAILURES_LISTED) {
        message.append("\n  ... and ").append(failures.size() - FAILURES_LISTED).append(" more");
      }
      throw new AssertionError(message.toString(), firstCause);
    }
    return report;
  }

  /** Reads the undamaged file once: it must be accepted, and the reader's first-use costs stay out of the cases. */
  private static <C> void checkIntactFileIsAccepted(FuzzTarget<C> target, ExecutorService worker) {
    C intact = target.intact();
    Outcome outcome;
    try {
      outcome = worker.submit(() -> readMeasured(target, intact)).get(CASE_TIME_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | InterruptedException | TimeoutException e) {
      throw new AssertionError(target.format() + ": reading the intact file failed", e);
    }
    if (outcome.thrown() != null) {
      throw new AssertionError(target.format() + ": the intact file must be accepted", outcome.thrown());
    }
  }

  private static <C> Outcome readMeasured(FuzzTarget<C> target, C input) {
    long before = allocatedByThisThread();
    Throwable thrown = null;
    try {
      target.read(input);
    } catch (Throwable t) { // OutOfMemoryError and StackOverflowError are results to judge too
      thrown = t;
    }
    long after = allocatedByThisThread();
    return new Outcome(thrown, before < 0 || after < 0 ? -1 : after - before);
  }

  /** Null when the outcome is acceptable, else what was wrong with it. */
  private static String judge(FuzzTarget<?> target, Outcome outcome) {
    Throwable t = outcome.thrown();
    if (outcome.allocated() > CASE_ALLOCATION_LIMIT) {
      return "allocated " + (outcome.allocated() >> 20) + " MiB (limit " + (CASE_ALLOCATION_LIMIT >> 20)
          + " MiB): an allocation sized by an unchecked field?" + (t == null ? "" : " Then threw " + t);
    }
    if (t == null) {
      return null;
    }
    if (t instanceof AssertionError) {
      return "accepted, but the result is wrong: " + t.getMessage();
    }
    if (!target.refusal().isInstance(t)) {
      StackTraceElement[] at = t.getStackTrace();
      return "threw " + t + (at.length > 0 ? " at " + at[0] : "") + " instead of a " + target.refusal().getSimpleName();
    }
    String message = t.getMessage();
    if (message == null || !message.contains(target.nameInMessages())) {
      return "refused with a message that does not name '" + target.nameInMessages() + "': " + message;
    }
    return null;
  }

  /** Heap bytes this thread has allocated so far, or -1 where the JVM cannot tell. */
  private static long allocatedByThisThread() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
        && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
      return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
    return -1;
  }
}
