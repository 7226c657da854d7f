package dev.tessera.runtime.cluster;

import dev.tessera.api.TesseraException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns TensorFlow's error for a failed distributed step into one line that says which worker was
 * lost. TensorFlow names the remote task in its message ({@code From /job:worker/replica:0/task:1:
 * Connection reset by peer}); a worker that stops answering ends in "Deadline Exceeded" after the
 * session's operation timeout instead, with no task named.
 */
public final class LostWorker {
  private static final Pattern TASK = Pattern.compile("/job:" + ClusterSpec.JOB + "/replica:\\d+/task:(\\d+)");

  private LostWorker() {}

  /** The task a TensorFlow error message names, or -1. */
  public static int task(String message) {
    return task(message, -1);
  }

  /**
   * The first task other than {@code self} that a TensorFlow error message names (between graphs a task's own errors
   * name its own device first), else {@code self} if named, else -1.
   */
  public static int task(String message, int self) {
    if (message == null) {
      return -1;
    }
    Matcher m = TASK.matcher(message);
    int found = -1;
    while (m.find()) {
      int t = Integer.parseInt(m.group(1));
      if (t != self) {
        return t;
      }
      found = t;
    }
    return found;
  }

  /**
   * The error to report for a step that failed on the cluster.
   *
   * @param kept what happened to the checkpoint, as the trainer words it
   */
  public static TesseraException describe(RuntimeException error, ClusterSpec cluster, long step, Duration timeout, String kept) {
    return describe(error, cluster, step, timeout, kept, -1);
  }

  /**
   * The same for task {@code self} of a between-graph run ({@code train --task}; -1: the client of an in-graph run):
   * the lost task is another, and every task's run stops, so the way on is to start each again with {@code --resume}.
   */
  public static TesseraException describe(RuntimeException error, ClusterSpec cluster, long step, Duration timeout, String kept, int self) {
    boolean betweenGraphs = self >= 0;
    String restart = betweenGraphs ? "Start every task's train command again with --resume"
        : "Restart every worker of " + cluster.source() + ", then --resume (or train with --exchange hub)";
    String after = betweenGraphs ? "; start every task again with --resume" : "";
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    String firstLine = message.strip().lines().findFirst().orElse(message);
    int task = task(message, self);
    if (message.contains("different incarnation") && task >= 0 && task < cluster.size()) {
      // All-reduce: task 0 resolves the collective groups and remembers each worker's first run; a worker restarted
      // since is refused by it until task 0 restarts too (TensorFlow 2.18).
      return new TesseraException(String.format(Locale.ROOT, "worker task %d at %s was restarted, and task 0 (%s) still knows its previous run,"
          + " which all-reduce refuses; training stopped at step %d; %s. %s",
          task, cluster.address(task), cluster.address(0), step, kept, restart), error);
    }
    if (message.contains("collective ops already aborted")) {
      return new TesseraException(String.format(Locale.ROOT, "the workers' all-reduce was aborted by an earlier failure (a worker lost or"
          + " restarted) and stays so until they restart; training stopped at step %d; %s. %s", step, kept, restart), error);
    }
    if (task >= 0 && task < cluster.size()) {
      String cause = message.strip().lines().skip(1).findFirst().orElse(firstLine).strip();
      return new TesseraException(String.format(Locale.ROOT, "lost worker task %d at %s at step %d (%s); training stopped; %s%s",
          task, cluster.address(task), step, cause, kept, after), error);
    }
    if (message.contains("Deadline Exceeded") || message.contains("DEADLINE_EXCEEDED") || message.contains("timed out")) {
      return new TesseraException(String.format(Locale.ROOT,
          "a worker of %s stopped answering at step %d (no reply within --worker-timeout %d s); training stopped; %s%s",
          cluster.source(), step, timeout.toSeconds(), kept, after), error);
    }
    return new TesseraException(String.format(Locale.ROOT, "step %d failed on the cluster: %s; training stopped; %s%s", step, firstLine, kept, after),
        error);
  }
}
