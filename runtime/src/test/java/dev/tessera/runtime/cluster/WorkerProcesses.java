package dev.tessera.runtime.cluster;

import dev.tessera.runtime.cli.TesseraCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tessera worker} processes on 127.0.0.1 for tests: one JVM per task, started from this
 * JVM's class path with the environment {@code ./tessera worker} gives them, so a test can kill
 * one as a machine would die. Closing stops them all.
 */
public final class WorkerProcesses implements AutoCloseable {
  private final ClusterSpec cluster;
  private final Path clusterFile;
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();

  private WorkerProcesses(ClusterSpec cluster, Path clusterFile) {
    this.cluster = cluster;
    this.clusterFile = clusterFile;
  }

  /** Starts {@code n} workers on free loopback ports, with their cluster file and logs in {@code dir}. */
  public static WorkerProcesses start(int n, Path dir) {
    try {
      Files.createDirectories(dir);
      ClusterSpec cluster = LoopbackCluster.spec(LoopbackCluster.freePorts(n));
      Path file = writeClusterFile(cluster, dir.resolve("cluster.json"));
      WorkerProcesses workers = new WorkerProcesses(cluster, file);
      try {
        for (int task = 0; task < n; task++) {
          workers.launch(task, dir.resolve("worker-" + task + ".log"));
        }
        for (int task = 0; task < n; task++) {
          workers.awaitListening(task);
        }
        return workers;
      } catch (RuntimeException e) {
        workers.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path writeClusterFile(ClusterSpec cluster, Path file) throws IOException {
    StringBuilder json = new StringBuilder("{\"worker\": [");
    for (int i = 0; i < cluster.size(); i++) {
      json.append(i > 0 ? ", " : "").append('"').append(cluster.address(i)).append('"');
    }
    return Files.writeString(file, json.append("]}\n").toString());
  }

  public ClusterSpec cluster() {
    return cluster;
  }

  public Path clusterFile() {
    return clusterFile;
  }

  public String log(int task) {
    try {
      return Files.readString(logs.get(task), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Kills task {@code task}'s process at once (SIGKILL), as a machine that dies. */
  public void kill(int task) throws InterruptedException {
    processes.get(task).destroyForcibly().waitFor();
  }

  /** Starts task {@code task} again after {@link #kill} (same port), as a restarted machine; waits until it listens. */
  public void restart(int task) throws IOException {
    Path log = logs.get(task).resolveSibling("worker-" + task + "-restarted.log");
    Process p = startProcess(task, log);
    processes.set(task, p);
    logs.set(task, log);
    awaitListening(task);
  }

  private void launch(int task, Path log) throws IOException {
    Process p = startProcess(task, log);
    logs.add(log);
    processes.add(p);
  }

  private Process startProcess(int task, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), TesseraCli.class.getName(),
        "worker", "--cluster", clusterFile.toString(), "--task", Integer.toString(task));
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  private void awaitListening(int task) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (log(task).contains("listening on port")) {
        return;
      }
      if (!processes.get(task).isAlive()) {
        throw new IllegalStateException("worker task " + task + " exited: " + log(task));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("worker task " + task + " did not start within 60 s: " + log(task));
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
