package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.runtime.train.WeightDifference;
import dev.tessera.runtime.cluster.LoopbackCluster;
import dev.tessera.runtime.cluster.WorkerProcesses;
import dev.tessera.runtime.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every model the plugins ship trains on a cluster as its command runs in one process: two steps
 * of {@code train MODEL --cluster} on two loopback workers end on the weights one process trains
 * (each replica draws one process's noise for its rows: {@code StepRandom}). The EMA codebook
 * (VQ-VAE, VQGAN) and latent diffusion's running latent scale are updated from every replica's
 * sums, dead-code resets draw from every replica's latents, and the losses that couple a batch's
 * examples (CLIP's contrastive loss, clip-gan's matching-aware term, latent diffusion's first-step
 * scale) are built from every replica's rows (WholeBatchLoss).
 */
class EveryModelOnAClusterTest {
  static WorkerProcesses workers;
  @TempDir static Path dir;

  @BeforeAll
  static void startWorkers() {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
    workers = WorkerProcesses.start(2, dir.resolve("workers"));
  }

  @AfterAll
  static void stopWorkers() {
    if (workers != null) {
      workers.close();
    }
  }

  private static CompareEndToEndTest.Run train(String model, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", model, "--limit", "32", "--batch-size", "8", "--steps", "2", "--log-every", "1",
        "--output-dir", out.toString()));
    args.addAll(List.of(extra));
    return CompareEndToEndTest.run(args.toArray(String[]::new));
  }

  @ParameterizedTest
  @ValueSource(strings = {"clip", "fashion-classifier", "clip-diffusion", "noisy-classifier", "dalle2-prior", "dalle2-decoder", "clip-vae",
      "clip-gan", "gpt", "kl-autoencoder", "latent-diffusion", "vqvae", "vqgan"})
  void trainsOnTwoWorkersAsInOneProcess(String model) {
    Path single = dir.resolve(model + "-single");
    CompareEndToEndTest.Run one = train(model, single);
    assertEquals(0, one.exit(), one.err());
    for (String exchange : EXCHANGES) {
      Path cluster = dir.resolve(model + "-cluster-" + exchange);
      CompareEndToEndTest.Run distributed = train(model, cluster, "--cluster", workers.clusterFile().toString(), "--exchange", exchange);
      assertEquals(0, distributed.exit(), exchange + ": " + distributed.err() + workers.log(0) + workers.log(1));
      assertTrue(distributed.out().contains(exchange.equals("hub") ? "gradients exchanged through task 0 (the hub)"
          : "gradients exchanged by all-reduce between the workers' copies"), distributed.out());
      float diff = WeightDifference.maxAbs(single, cluster);
      System.out.printf("%s, --exchange %s, 2 steps, batch 8 = 2 workers x 4: max |w_cluster - w_single| = %g%n", model, exchange, diff);
      assertTrue(diff < 1e-4, model + ", --exchange " + exchange + ": max abs weight difference " + diff);
    }
    Path between = dir.resolve(model + "-between");
    betweenGraphs(model, between);
    float diff = WeightDifference.maxAbs(single, between);
    System.out.printf("%s, between graphs (--task), 2 steps, batch 8 = 2 tasks x 4: max |w_tasks - w_single| = %g%n", model, diff);
    assertTrue(diff < 1e-4, model + ", between graphs: max abs weight difference " + diff);
  }

  /**
   * Trains {@code model} as two tasks of a new loopback cluster at once, each {@code train --cluster FILE --task N} in
   * a thread of this JVM and its own TensorFlow server (between-graph replication); both must succeed.
   */
  private static void betweenGraphs(String model, Path out, String... extra) {
    int[] ports = LoopbackCluster.freePorts(2);
    Path file;
    try {
      file = Files.writeString(dir.resolve("tasks-" + ports[0] + ".json"),
          "{\"worker\": [\"127.0.0.1:" + ports[0] + "\", \"127.0.0.1:" + ports[1] + "\"]}");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<CompletableFuture<CompareEndToEndTest.Run>> tasks = new ArrayList<>();
    for (int task = 0; task < 2; task++) {
      List<String> args = new ArrayList<>(List.of(extra));
      args.addAll(List.of("--cluster", file.toString(), "--task", Integer.toString(task)));
      tasks.add(CompletableFuture.supplyAsync(() -> train(model, out, args.toArray(String[]::new))));
    }
    for (int task = 0; task < 2; task++) {
      CompareEndToEndTest.Run run = tasks.get(task).join();
      assertEquals(0, run.exit(), "task " + task + ": " + run.err());
    }
  }

  /**
   * Both ways the workers' gradients meet: on task 0 (the hub) and by all-reduce between every worker's copy of the
   * variables, where the EMA codebook's sums are all-reduced too and a dead-code reset writes every copy.
   */
  static final List<String> EXCHANGES = List.of("hub", "all-reduce");

  /**
   * Dead-code resets on a cluster draw their replacement codes from every replica's encoder outputs, in the order one
   * process has them: with a check after every step (the default checks every 100), the first step already resets
   * codes, and the weights still end where one process's do.
   */
  @org.junit.jupiter.api.Test
  void deadCodeResetsDrawFromTheWholeBatch() {
    Path single = dir.resolve("vqvae-reset-single");
    CompareEndToEndTest.Run one = train("vqvae", single, "--set", "dead_code_check_every=1");
    assertEquals(0, one.exit(), one.err());
    for (String exchange : EXCHANGES) {
      Path cluster = dir.resolve("vqvae-reset-cluster-" + exchange);
      CompareEndToEndTest.Run distributed = train("vqvae", cluster, "--set", "dead_code_check_every=1", "--cluster",
          workers.clusterFile().toString(), "--exchange", exchange);
      assertEquals(0, distributed.exit(), distributed.err() + workers.log(0) + workers.log(1));
      float diff = WeightDifference.maxAbs(single, cluster);
      System.out.printf("vqvae --set dead_code_check_every=1, --exchange %s, 2 steps, batch 8 = 2 workers x 4: max |w_cluster - w_single| = %g%n",
          exchange, diff);
      assertTrue(diff < 1e-4, exchange + ": max abs weight difference " + diff);
    }
    Path between = dir.resolve("vqvae-reset-between");
    betweenGraphs("vqvae", between, "--set", "dead_code_check_every=1");
    float betweenDiff = WeightDifference.maxAbs(single, between);
    System.out.printf("vqvae --set dead_code_check_every=1, between graphs, 2 steps, batch 8 = 2 tasks x 4: max |w_tasks - w_single| = %g%n",
        betweenDiff);
    assertTrue(betweenDiff < 1e-4, "between graphs: max abs weight difference " + betweenDiff);
    // The resets did happen (else this test would not see the gathering): without them the weights end elsewhere.
    Path noResets = dir.resolve("vqvae-no-reset-single");
    assertEquals(0, train("vqvae", noResets, "--set", "dead_code_check_every=0").exit());
    float moved = WeightDifference.maxAbs(single, noResets);
    assertTrue(moved > 1e-2, "resets changed the weights by only " + moved);
  }
}
