package dev.tessera.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.runtime.cluster.WorkerProcesses;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * All-reduce past two workers: three loopback workers (a group that is not a power of two, so TensorFlow's ring
 * passes every chunk through a third task) train the weights one process trains, with a batch of 12 = 3 x 4.
 */
class AllReduceThreeWorkersTest {
  @TempDir static Path shared;
  @TempDir Path tmp;
  static WorkerProcesses workers;

  @BeforeAll
  static void startWorkers() {
    workers = WorkerProcesses.start(3, shared.resolve("workers"));
  }

  @AfterAll
  static void stopWorkers() {
    if (workers != null) {
      workers.close();
    }
  }

  @Test
  void threeWorkersAllReduceToTheWeightsOfOneProcess() {
    var d = ClusterTrainingTest.data(96);
    TrainOptions options = TrainOptions.defaults(tmp.resolve("single")).withSteps(15).withBatchSize(12).withCheckpointEvery(15);
    TrainResult single = new Trainer(new PrintWriter(new StringWriter())).train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options);
    TrainResult distributed = new Trainer(new PrintWriter(new StringWriter())).onCluster(workers.cluster(), Duration.ofSeconds(20))
        .exchange("all-reduce").train(new TinyAutoencoderModel(), ModelConfig.empty(), d,
            TrainOptions.defaults(tmp.resolve("cluster")).withSteps(15).withBatchSize(12).withCheckpointEvery(15));
    float diff = WeightDifference.maxAbs(tmp.resolve("single"), tmp.resolve("cluster"));
    System.out.printf("tiny autoencoder, all-reduce over 3 workers, 15 steps, batch 12 = 3 x 4: max |w_cluster - w_single| = %g%n", diff);
    assertTrue(diff < 1e-5, "max abs difference " + diff);
    assertEquals(single.lastLoss(), distributed.lastLoss(), 1e-5);
  }
}
