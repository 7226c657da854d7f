package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.runtime.train.WeightDifference;
import dev.tessera.runtime.cluster.WorkerProcesses;
import dev.tessera.runtime.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every model the plugins ship trains on a cluster as its command runs in one process: two steps
 * of {@code train MODEL --cluster} on two loopback workers end on the weights one process trains
 * (each replica draws one process's noise for its rows: {@code StepRandom}), or, for a model that
 * updates state from each whole batch other than through sums (latent diffusion's running latent
 * scale) or whose loss couples the batch's examples (CLIP's contrastive loss), the command is
 * refused with the reason before anything runs. The EMA codebook (VQ-VAE, VQGAN) is updated from
 * every replica's sums and dead-code resets draw from every replica's latents: the default VQ-VAE
 * trains as in one process.
 */
class EveryModelOnAClusterTest {
  static WorkerProcesses workers;
  @TempDir static Path dir;

  /**
   * The models a cluster refuses for now, and why (docs/distributed.md): state updated from each
   * whole batch other than through sums (latent diffusion's running latent scale, whose first step
   * also scales by the batch's own deviation), or a loss that couples the batch's examples (CLIP's).
   * The EMA codebook of the VQ-VAE and the VQGAN is updated from the sums of every replica's
   * statistics, and dead-code resets draw from every replica's latents.
   */
  static final Map<String, String> REFUSED = Map.of("latent-diffusion", "1 update op(s)",
      "clip", "its contrastive loss compares each image with every caption of the batch",
      "clip-gan", "its matching-aware term shows the discriminator each real image with the next example's text");

  /** Settings under which a refused model splits: then it must train as in one process. */
  static final Map<String, List<String>> SPLITTABLE_WITH = Map.of("clip-gan", List.of("--set", "mismatch_weight=0"));

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
    Path cluster = dir.resolve(model + "-cluster");
    CompareEndToEndTest.Run distributed = train(model, cluster, "--cluster", workers.clusterFile().toString());
    String[] settings = new String[0];
    if (REFUSED.containsKey(model)) {
      assertEquals(1, distributed.exit(), distributed.out());
      assertTrue(distributed.err().contains(REFUSED.get(model)) && distributed.err().contains("train it in one process"), distributed.err());
      assertTrue(!Files.exists(cluster.resolve("checkpoint.safetensors")), "refused before the first step");
      if (!SPLITTABLE_WITH.containsKey(model)) {
        return;
      }
      settings = SPLITTABLE_WITH.get(model).toArray(String[]::new);
      List<String> args = new ArrayList<>(List.of(settings));
      args.addAll(List.of("--cluster", workers.clusterFile().toString()));
      distributed = train(model, dir.resolve(model + "-split"), args.toArray(String[]::new));
      cluster = dir.resolve(model + "-split");
    }
    assertEquals(0, distributed.exit(), distributed.err() + workers.log(0) + workers.log(1));
    CompareEndToEndTest.Run one = train(model, single, settings);
    assertEquals(0, one.exit(), one.err());
    float diff = WeightDifference.maxAbs(single, cluster);
    System.out.printf("%s %s, 2 steps, batch 8 = 2 workers x 4: max |w_cluster - w_single| = %g%n", model, String.join(" ", settings), diff);
    assertTrue(diff < 1e-4, model + ": max abs weight difference " + diff);
  }

  /**
   * Dead-code resets on a cluster draw their replacement codes from every replica's encoder outputs, in the order one
   * process has them: with a check after every step (the default checks every 100), the first step already resets
   * codes, and the weights still end where one process's do.
   */
  @org.junit.jupiter.api.Test
  void deadCodeResetsDrawFromTheWholeBatch() {
    Path single = dir.resolve("vqvae-reset-single");
    Path cluster = dir.resolve("vqvae-reset-cluster");
    CompareEndToEndTest.Run distributed = train("vqvae", cluster, "--set", "dead_code_check_every=1", "--cluster",
        workers.clusterFile().toString());
    assertEquals(0, distributed.exit(), distributed.err() + workers.log(0) + workers.log(1));
    CompareEndToEndTest.Run one = train("vqvae", single, "--set", "dead_code_check_every=1");
    assertEquals(0, one.exit(), one.err());
    float diff = WeightDifference.maxAbs(single, cluster);
    System.out.printf("vqvae --set dead_code_check_every=1, 2 steps, batch 8 = 2 workers x 4: max |w_cluster - w_single| = %g%n", diff);
    assertTrue(diff < 1e-4, "max abs weight difference " + diff);
    // The resets did happen (else this test would not see the gathering): without them the weights end elsewhere.
    Path noResets = dir.resolve("vqvae-no-reset-single");
    assertEquals(0, train("vqvae", noResets, "--set", "dead_code_check_every=0").exit());
    float moved = WeightDifference.maxAbs(single, noResets);
    assertTrue(moved > 1e-2, "resets changed the weights by only " + moved);
  }
}
