package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.runtime.cluster.WorkerProcesses;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.runtime.train.Checkpoint;
import dev.tessera.runtime.train.WeightDifference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera worker} and {@code tessera train --cluster} as a user runs them: two worker
 * processes on 127.0.0.1 and the trainer as the client train the VQ-VAE (the plugin's model, a
 * small config without EMA or dead-code resets, which a cluster can split) and end where one
 * process ends; a worker killed mid-run stops training with the checkpoint intact, and once it is
 * started again, {@code --resume} goes on from that checkpoint.
 */
class ClusterTrainingEndToEndTest {
  @TempDir Path tmp;
  static Path config;

  @BeforeAll
  static void requirements(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("vqvae.jar")), "plugins not packaged yet");
    assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
    config = Files.writeString(dir.resolve("small-vqvae.json"), "{\"hidden_channels\": 16, \"residual_channels\": 8, \"residual_layers\": 1,"
        + " \"codebook_size\": 32, \"embedding_dim\": 8, \"ema\": false, \"dead_code_check_every\": 0}");
  }

  /** train vqvae with the small config on 256 images, batch 16, with {@code extra} arguments. */
  private static CompareEndToEndTest.Run train(Path out, long steps, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "vqvae", "--config", config.toString(), "--limit", "256", "--batch-size", "16",
        "--lr", "1e-3", "--steps", Long.toString(steps), "--log-every", "25", "--output-dir", out.toString()));
    args.addAll(List.of(extra));
    return CompareEndToEndTest.run(args.toArray(String[]::new));
  }

  @Test
  void twoWorkersTrainTheVqVaeAsOneProcessDoes() {
    try (WorkerProcesses workers = WorkerProcesses.start(2, tmp.resolve("workers"))) {
      CompareEndToEndTest.Run single = train(tmp.resolve("single"), 50);
      assertEquals(0, single.exit(), single.err());
      CompareEndToEndTest.Run cluster = train(tmp.resolve("cluster"), 50, "--cluster", workers.clusterFile().toString());
      assertEquals(0, cluster.exit(), cluster.err() + workers.log(0) + workers.log(1));
      assertTrue(cluster.out().contains("on 2 workers of "), cluster.out());
      float diff = WeightDifference.maxAbs(tmp.resolve("single"), tmp.resolve("cluster"));
      System.out.printf("VQ-VAE, 50 steps, global batch 16 = 2 workers x 8: max |w_cluster - w_single| = %g%n", diff);
      System.out.println("single:  " + last(single.out()));
      System.out.println("cluster: " + last(cluster.out()));
      assertTrue(diff < 1e-4, "max abs difference " + diff);
    }
  }

  /**
   * Between-graph replication as a user runs it: the same {@code train --cluster FILE --task N} on each task (here two
   * at once in this JVM, each its own TensorFlow server), no {@code tessera worker}; task 0 writes the weights, which
   * end where one process ends; task 1 writes nothing.
   */
  @Test
  void twoTasksTrainTheVqVaeBetweenGraphsAsOneProcessDoes() throws Exception {
    int[] ports = dev.tessera.runtime.cluster.LoopbackCluster.freePorts(2);
    Path file = Files.writeString(tmp.resolve("tasks.json"), "{\"worker\": [\"127.0.0.1:" + ports[0] + "\", \"127.0.0.1:" + ports[1] + "\"]}");
    CompareEndToEndTest.Run single = train(tmp.resolve("single"), 50);
    assertEquals(0, single.exit(), single.err());
    CompletableFuture<CompareEndToEndTest.Run> second = CompletableFuture.supplyAsync(
        () -> train(tmp.resolve("between"), 50, "--cluster", file.toString(), "--task", "1"));
    CompareEndToEndTest.Run first = train(tmp.resolve("between"), 50, "--cluster", file.toString(), "--task", "0");
    CompareEndToEndTest.Run other = second.get(120, TimeUnit.SECONDS);
    assertEquals(0, first.exit(), first.err());
    assertEquals(0, other.exit(), other.err());
    assertTrue(first.out().contains("task 0 of 2 of " + file + " (127.0.0.1:" + ports[0] + "), between-graph"), first.out());
    assertTrue(other.out().contains("task 0 writes the checkpoints") && other.out().contains("task 0 wrote the weights"), other.out());
    float diff = WeightDifference.maxAbs(tmp.resolve("single"), tmp.resolve("between"));
    System.out.printf("VQ-VAE, 50 steps, global batch 16 = 2 tasks x 8, between graphs: max |w_tasks - w_single| = %g%n", diff);
    assertTrue(diff < 1e-4, "max abs difference " + diff);
  }

  /**
   * With either exchange. The hub goes on once the lost worker is started again; all-reduce refuses a restarted
   * worker while task 0 remembers its previous run (TensorFlow 2.18), says so, and goes on once every worker restarted.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"hub", "all-reduce"})
  void aKilledWorkerStopsTrainingWithTheCheckpointIntact(String exchange) throws Exception {
    try (WorkerProcesses workers = WorkerProcesses.start(2, tmp.resolve("workers-" + exchange))) {
      Path out = tmp.resolve("killed-" + exchange);
      CompletableFuture<CompareEndToEndTest.Run> run = CompletableFuture.supplyAsync(() -> train(out, 1_000_000,
          "--cluster", workers.clusterFile().toString(), "--checkpoint-every", "10", "--worker-timeout", "10", "--exchange", exchange));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Checkpoint.exists(out) && System.nanoTime() < deadline && !run.isDone()) {
        Thread.sleep(100);
      }
      assertTrue(Checkpoint.exists(out), "no checkpoint was written: " + (run.isDone() ? run.get().err() : "timed out"));
      Thread.sleep(500); // a few steps past the first checkpoint
      long killed = System.nanoTime();
      workers.kill(1);
      CompareEndToEndTest.Run r = run.get(60, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - killed) / 1e9;
      System.out.printf("worker task 1 killed; train exited %d after %.1f s: %s", r.exit(), seconds, r.err());
      assertEquals(1, r.exit());
      // The step fails within a second of the loss; the client does not wait --worker-timeout to close the session.
      assertTrue(seconds < 5, "the loss was reported " + seconds + " s after the kill (--worker-timeout 10)");
      String address = workers.cluster().address(1);
      assertTrue(r.err().contains("lost worker task 1 at " + address) || r.err().contains("stopped answering"), r.err());
      assertTrue(r.err().contains("the last good checkpoint (step "), r.err());
      Parameters checkpoint = Parameters.load(Checkpoint.file(out));
      long step = Long.parseLong(checkpoint.metadata().get("step"));
      assertTrue(step >= 10 && step % 10 == 0, "checkpoint step " + step);
      assertTrue(r.err().contains("(step " + step + ")"), r.err());
      assertEquals(Long.toString(step), ModelWeights.load(out).parameters().metadata().get("step"));

      // The documented way on: start the lost worker again with the same command, then --resume.
      workers.restart(1);
      if (exchange.equals("all-reduce")) {
        CompareEndToEndTest.Run refused = train(out, step + 20, "--cluster", workers.clusterFile().toString(), "--checkpoint-every", "10",
            "--worker-timeout", "10", "--resume", "--exchange", exchange);
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("Restart every worker of " + workers.clusterFile() + ", then --resume"), refused.err());
        assertEquals(Long.toString(step), Parameters.load(Checkpoint.file(out)).metadata().get("step"));
        // (the refused step aborted the collectives on both tasks: every worker starts again)
        for (int task = 0; task < 2; task++) {
          workers.kill(task);
          workers.restart(task);
        }
      }
      CompareEndToEndTest.Run resumed = train(out, step + 20, "--cluster", workers.clusterFile().toString(), "--checkpoint-every", "10",
          "--worker-timeout", "10", "--resume", "--exchange", exchange);
      assertEquals(0, resumed.exit(), resumed.err() + workers.log(0) + workers.log(1));
      assertEquals(Long.toString(step + 20), Parameters.load(Checkpoint.file(out)).metadata().get("step"));
      assertTrue(resumed.out().contains("steps " + step + ".." + (step + 20)), resumed.out());
    }
  }

  private static String last(String out) {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }
}
