package dev.tessera.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.cluster.LoopbackCluster;
import dev.tessera.runtime.data.Dataset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Between-graph replication ({@code train --cluster FILE --task N}): each task a training run of its own, with its own
 * TensorFlow server, here two in this JVM on 127.0.0.1 (TensorFlow cannot stop a server: they stay until the JVM
 * ends), against the same global batches in one process.
 */
class BetweenGraphTrainingTest {
  @TempDir Path tmp;

  private static TrainOptions options(Path dir, long steps) {
    return TrainOptions.defaults(dir).withSteps(steps).withBatchSize(8).withCheckpointEvery(10);
  }

  /** Runs task 0 and task 1 of a new two-task cluster at once, both with {@code options}; task 0's result. */
  private static TrainResult onTwoTasks(Supplier<TrainableModel> model, Dataset data, TrainOptions options) throws Exception {
    ClusterSpec cluster = LoopbackCluster.spec(LoopbackCluster.freePorts(2));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<TrainResult>> runs = new ArrayList<>();
      for (int task = 0; task < 2; task++) {
        int t = task;
        runs.add(pool.submit(() -> new Trainer(new PrintWriter(new StringWriter())).onCluster(cluster, Duration.ofSeconds(30)).asTask(t)
            .train(model.get(), ModelConfig.empty(), data, options)));
      }
      TrainResult first = runs.get(0).get();
      TrainResult second = runs.get(1).get();
      assertEquals(first.lastLoss(), second.lastLoss(), "every task logs the loss over the whole batch");
      return first;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoTasksTrainTheWeightsOneProcessTrainsAndOnlyTaskZeroWrites() throws Exception {
    Dataset d = ClusterTrainingTest.data(64);
    TrainResult single = new Trainer(new PrintWriter(new StringWriter())).train(new TinyAutoencoderModel(), ModelConfig.empty(), d,
        options(tmp.resolve("single"), 20));
    TrainResult between = onTwoTasks(TinyAutoencoderModel::new, d, options(tmp.resolve("between"), 20));
    float diff = WeightDifference.maxAbs(tmp.resolve("single"), tmp.resolve("between"));
    System.out.printf("tiny autoencoder, between-graph, 20 steps, batch 8 = 2 x 4: max |w_tasks - w_single| = %g; loss %.7f vs %.7f%n",
        diff, between.lastLoss(), single.lastLoss());
    assertTrue(diff < 1e-5, "max abs difference " + diff);
    assertEquals(single.lastLoss(), between.lastLoss(), 1e-5);
    assertEquals(Files.readAllLines(tmp.resolve("single").resolve("train-log.csv")).size(),
        Files.readAllLines(tmp.resolve("between").resolve("train-log.csv")).size(), "one log, written once per logged step");
  }

  @Test
  void aResumedRunEndsWhereAnUninterruptedOneEnds() throws Exception {
    Dataset d = ClusterTrainingTest.data(64);
    onTwoTasks(TinyAutoencoderModel::new, d, options(tmp.resolve("straight"), 20));
    onTwoTasks(TinyAutoencoderModel::new, d, options(tmp.resolve("resumed"), 10));
    onTwoTasks(TinyAutoencoderModel::new, d, options(tmp.resolve("resumed"), 20).withResume(true));
    assertEquals(0f, WeightDifference.maxAbs(tmp.resolve("straight"), tmp.resolve("resumed")));
  }

  @Test
  void phasesAndAWholeBatchLossTrainAsInOneProcess() throws Exception {
    Dataset d = ClusterTrainingTest.data(64);
    new Trainer(new PrintWriter(new StringWriter())).train(new TinyPhaseModel(), ModelConfig.empty(), d, options(tmp.resolve("phase-single"), 10));
    onTwoTasks(TinyPhaseModel::new, d, options(tmp.resolve("phase-between"), 10));
    float phases = WeightDifference.maxAbs(tmp.resolve("phase-single"), tmp.resolve("phase-between"));
    assertTrue(phases < 1e-5, "phases: max abs difference " + phases);

    new Trainer(new PrintWriter(new StringWriter())).train(new TinyContrastiveModel(true), ModelConfig.empty(), d,
        options(tmp.resolve("whole-single"), 10));
    onTwoTasks(() -> new TinyContrastiveModel(true), d, options(tmp.resolve("whole-between"), 10));
    float whole = WeightDifference.maxAbs(tmp.resolve("whole-single"), tmp.resolve("whole-between"));
    System.out.printf("between-graph: phases %g, whole-batch loss %g from one process%n", phases, whole);
    assertTrue(whole < 1e-5, "whole-batch loss: max abs difference " + whole);
    onTwoTasks(() -> new TinyContrastiveModel(false), d, options(tmp.resolve("parts-between"), 10));
    assertFalse(WeightDifference.maxAbs(tmp.resolve("whole-single"), tmp.resolve("parts-between")) < 1e-3,
        "each task's part alone trains something else");
  }
}
