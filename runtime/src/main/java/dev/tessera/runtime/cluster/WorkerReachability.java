package dev.tessera.runtime.cluster;

import dev.tessera.api.TesseraException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Locale;

/**
 * Checks, before a graph is built, that every worker of a cluster accepts connections. Without
 * it an absent worker shows up much later as TensorFlow's bare "Deadline Exceeded", which names
 * no address. Workers still starting get until the deadline: connections are retried.
 */
public final class WorkerReachability {
  private static final long RETRY_MILLIS = 200;

  private WorkerReachability() {}

  /**
   * Returns when every task accepted a TCP connection; otherwise fails within {@code timeout}
   * (plus one connection attempt) with an error naming the first task that did not.
   */
  public static void check(ClusterSpec cluster, Duration timeout) {
    check(cluster, timeout, "./tessera worker --cluster " + cluster.source() + " --task %d");
  }

  /**
   * The same, where a task is started with {@code start} (its task index at {@code %d}): between graphs each task
   * is a {@code tessera train} run.
   */
  public static void check(ClusterSpec cluster, Duration timeout, String start) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int task = 0; task < cluster.size(); task++) {
      String last = null;
      while (true) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(cluster.host(task), cluster.port(task)), (int) Math.min(left, Integer.MAX_VALUE));
          break;
        } catch (java.net.SocketTimeoutException e) {
          // The last attempt is cut short by the deadline: keep the reason an earlier one gave.
          last = last != null ? last : "no answer";
        } catch (IOException e) {
          last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        if (System.nanoTime() >= deadline) {
          throw new TesseraException(String.format(Locale.ROOT,
              "worker task %d at %s is not reachable (%s) after %.0f s: start it with %s",
              task, cluster.address(task), last, timeout.toMillis() / 1000.0, String.format(Locale.ROOT, start, task)));
        }
        try {
          Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TesseraException("interrupted while waiting for worker task " + task + " at " + cluster.address(task));
        }
      }
    }
  }
}
