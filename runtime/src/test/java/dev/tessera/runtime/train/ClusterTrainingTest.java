package dev.tessera.runtime.train;

import org.tensorflow.types.TFloat32;
import org.tensorflow.Operand;
import dev.tessera.api.graph.GraphScope;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.cluster.LoopbackCluster;
import dev.tessera.runtime.cluster.WorkerProcesses;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.IdxTestFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer on two worker processes on 127.0.0.1 against the same run in one process. */
class ClusterTrainingTest {
  @TempDir static Path shared;
  @TempDir Path tmp;
  static WorkerProcesses workers;

  @BeforeAll
  static void startWorkers() {
    workers = WorkerProcesses.start(2, shared.resolve("workers"));
  }

  @AfterAll
  static void stopWorkers() {
    if (workers != null) {
      workers.close();
    }
  }

  static Dataset data(int n) {
    SplittableRandom r = new SplittableRandom(3);
    float[] px = new float[n * 16];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextDouble();
    }
    return Dataset.unlabeled("random", new ImageBatch(n, 4, 4, 1, px));
  }

  private static Trainer quiet() {
    return new Trainer(new PrintWriter(new StringWriter()));
  }

  private TrainOptions options(String dir, long steps) {
    return TrainOptions.defaults(tmp.resolve(dir)).withSteps(steps).withBatchSize(8).withCheckpointEvery(10);
  }

  /**
   * Both exchanges train the weights of one process. With all-reduce ({@code --exchange all-reduce}) each worker holds
   * a copy of every variable and of Adam's state, the gradients are averaged by one collective all-reduce per step,
   * and each worker applies the update to its copy: equal weights mean every copy started equal and stayed so, since
   * task 1's gradients come from its own copy.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"hub", "all-reduce"})
  void twoWorkersTrainTheWeightsOneProcessTrains(String exchange) {
    Dataset d = data(64);
    TrainResult single = quiet().train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("single-" + exchange, 20));
    TrainResult distributed = quiet().onCluster(workers.cluster(), Duration.ofSeconds(20)).exchange(exchange)
        .train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("cluster-" + exchange, 20));
    float diff = WeightDifference.maxAbs(tmp.resolve("single-" + exchange), tmp.resolve("cluster-" + exchange));
    System.out.printf("tiny autoencoder, --exchange %s, 20 steps, batch 8 = 2 x 4: max |w_cluster - w_single| = %g; loss %.7f vs %.7f%n",
        exchange, diff, distributed.lastLoss(), single.lastLoss());
    assertTrue(diff < 1e-5, "max abs difference " + diff);
    assertEquals(single.lastLoss(), distributed.lastLoss(), 1e-5);
  }

  /**
   * With the data set's IDX file named, each worker reads it from its own disk (here the same disk: loopback) and
   * checks it against the client's images: the run trains the weights of one process; a file with other images is
   * refused before the first step, naming the worker and the file.
   */
  @Test
  void workersReadTheDataSetFromTheirOwnDiskAndCheckIt() {
    Path file = IdxTestFiles.write(tmp.resolve("train-images-idx3-ubyte"),
        IdxTestFiles.idx(new int[] {64, 4, 4}, IdxTestFiles.pixels(64, 4, 4)));
    Dataset d = Dataset.unlabeled("idx", dev.tessera.runtime.data.IdxReader.readImages(file).toImageBatch());
    TrainResult single = quiet().train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("idx-single", 10));
    StringWriter log = new StringWriter();
    new Trainer(new PrintWriter(log, true)).onCluster(workers.cluster(), Duration.ofSeconds(20)).withImagesFile(file)
        .train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("idx-cluster", 10));
    assertTrue(log.toString().contains("data set (64 images) read by each of 2 workers from its own " + file.toAbsolutePath()
        + " in "), log.toString());
    assertTrue(WeightDifference.maxAbs(tmp.resolve("idx-single"), tmp.resolve("idx-cluster")) < 1e-5);
    assertTrue(single.lastLoss() > 0);

    byte[] other = IdxTestFiles.pixels(64, 4, 4);
    other[17]++;
    Path changed = IdxTestFiles.write(tmp.resolve("other-idx3-ubyte"), IdxTestFiles.idx(new int[] {64, 4, 4}, other));
    TesseraException e = assertThrows(TesseraException.class, () -> quiet().onCluster(workers.cluster(), Duration.ofSeconds(20))
        .withImagesFile(changed).train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("idx-other", 10)));
    assertTrue(e.getMessage().startsWith("worker task 0's " + changed.toAbsolutePath() + " holds other images than the client's"), e.getMessage());
  }

  /**
   * In the all-reduce layout no task reads another's variables: task 1 computes and updates its own copies (each
   * variable and each Adam slot, named {@code <name>.task1}), and the gradients meet in one collective per task.
   */
  @Test
  void allReduceTasksReadOnlyTheirOwnCopiesAndMeetInOneCollective() {
    ClusterLayout layout = new ClusterLayout(ClusterSpec.of("127.0.0.1:1", "127.0.0.1:2"), Duration.ofSeconds(1), ClusterLayout.Exchange.ALL_REDUCE);
    ImageBatch images = data(8).images();
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      GraphScope root = layout.root(g);
      StepGraph step = layout.build(root, (scope, shard, shards, after) -> Replica.build(scope, shard, shards, after,
          new TinyAutoencoderModel(), ModelConfig.empty(), images, 0, null, true), dev.tessera.api.train.AdamOptimizer.Config.defaults(1e-3));
      java.util.Set<String> variablesOnTask1 = new java.util.HashSet<>();
      int collectives = 0;
      java.util.Iterator<org.tensorflow.GraphOperation> ops = g.operations();
      while (ops.hasNext()) {
        org.tensorflow.GraphOperation op = ops.next();
        if (op.type().equals("CollectiveReduceV2")) {
          collectives++;
        }
        if (op.type().equals("VariableV2") && op.device().contains("task:1")) {
          variablesOnTask1.add(op.name());
        }
        for (int i = 0; i < op.numInputs(); i++) {
          org.tensorflow.Operation source = op.input(i).op();
          if (source.type().equals("VariableV2")) {
            String task = op.device().contains("task:1") ? "task:1" : "task:0";
            assertTrue(((org.tensorflow.GraphOperation) source).device().contains(task), op.name() + " on " + task + " reads " + source.name());
          }
        }
      }
      assertEquals(2, collectives, "one all-reduce of the packed gradients per task");
      for (var e : step.replicas().get(0).graph().trainable()) {
        for (String name : List.of(e.name(), e.name() + ".adam_m", e.name() + ".adam_v")) {
          assertTrue(variablesOnTask1.contains(name + ".task1"), name + " has a copy on task 1: " + variablesOnTask1);
        }
      }
      assertTrue(variablesOnTask1.contains("optimizer.step.task1"), variablesOnTask1.toString());
    }
  }

  @Test
  void anUnknownExchangeIsOneLine() {
    TesseraException e = assertThrows(TesseraException.class, () -> quiet().exchange("ring"));
    assertEquals("--exchange ring: use hub (every variable on task 0) or all-reduce (a copy on every task)", e.getMessage());
  }

  /** With either exchange; with all-reduce, {@code --resume} writes the checkpoint into every worker's copy. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"hub", "all-reduce"})
  void aClusterRunResumesFromItsCheckpointLikeAnUninterruptedOne(String exchange) {
    Dataset d = data(64);
    Trainer trainer = quiet().onCluster(workers.cluster(), Duration.ofSeconds(20)).exchange(exchange);
    trainer.train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("straight-" + exchange, 20));
    trainer.train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("resumed-" + exchange, 10));
    trainer.train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("resumed-" + exchange, 20).withResume(true));
    assertEquals(0f, WeightDifference.maxAbs(tmp.resolve("straight-" + exchange), tmp.resolve("resumed-" + exchange)));
  }

  /** The exchanges read and write the same checkpoint: a hub run resumed with all-reduce ends where the hub run ends. */
  @Test
  void aRunMayChangeItsExchangeOnResume() {
    Dataset d = data(64);
    quiet().onCluster(workers.cluster(), Duration.ofSeconds(20)).train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("hub-only", 20));
    quiet().onCluster(workers.cluster(), Duration.ofSeconds(20)).train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("switched", 10));
    quiet().onCluster(workers.cluster(), Duration.ofSeconds(20)).exchange("all-reduce")
        .train(new TinyAutoencoderModel(), ModelConfig.empty(), d, options("switched", 20).withResume(true));
    float diff = WeightDifference.maxAbs(tmp.resolve("hub-only"), tmp.resolve("switched"));
    assertTrue(diff < 1e-6, "max abs difference " + diff);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"hub", "all-reduce"})
  void phasesAreSplitLikeTheMainLoss(String exchange) {
    Dataset d = data(64);
    quiet().train(new TinyPhaseModel(), ModelConfig.empty(), d, options("phase-single-" + exchange, 10));
    quiet().onCluster(workers.cluster(), Duration.ofSeconds(20)).exchange(exchange)
        .train(new TinyPhaseModel(), ModelConfig.empty(), d, options("phase-cluster-" + exchange, 10));
    float diff = WeightDifference.maxAbs(tmp.resolve("phase-single-" + exchange), tmp.resolve("phase-cluster-" + exchange));
    assertTrue(diff < 1e-5, "max abs difference " + diff);
    float scale = Parameters.load(tmp.resolve("phase-cluster-" + exchange).resolve(ModelWeights.WEIGHTS_FILE))
        .get("critic.scale").toFloats()[0];
    assertTrue(scale != 1f, "the phase trained its variable");
  }


  @Test
  void aNanLossStopsAClusterRunAndKeepsTheCheckpoint() throws Exception {
    float[] px = new float[16 * 16];
    Arrays.fill(px, Float.NaN);
    Dataset nan = Dataset.unlabeled("nan", new ImageBatch(16, 4, 4, 1, px));
    Trainer trainer = quiet().onCluster(workers.cluster(), Duration.ofSeconds(20));
    trainer.train(new TinyAutoencoderModel(), ModelConfig.empty(), data(16), options("nan", 10));
    byte[] before = Files.readAllBytes(Checkpoint.file(tmp.resolve("nan")));
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> trainer.train(new TinyAutoencoderModel(), ModelConfig.empty(), nan, options("nan", 20).withResume(true)));
    assertEquals(11, e.step());
    assertTrue(e.getMessage().contains("the last good checkpoint (step 10)"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(Checkpoint.file(tmp.resolve("nan"))));
  }

  @Test
  void anUnreachableWorkerIsNamedWithinTheTimeout() {
    int[] ports = LoopbackCluster.freePorts(1);
    ClusterSpec cluster = ClusterSpec.of(workers.cluster().address(0), "127.0.0.1:" + ports[0]);
    long start = System.nanoTime();
    TesseraException e = assertThrows(TesseraException.class, () -> quiet().onCluster(cluster, Duration.ofSeconds(2))
        .train(new TinyAutoencoderModel(), ModelConfig.empty(), data(16), options("unreachable", 5)));
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("unreachable worker reported after %.2f s: %s%n", seconds, e.getMessage());
    assertTrue(e.getMessage().contains("task 1 at 127.0.0.1:" + ports[0] + " is not reachable"), e.getMessage());
    assertTrue(seconds < 10, "took " + seconds + " s");
  }

  /**
   * A loss that couples the batch's examples (a contrastive loss) trains on two workers as in one process when it
   * is built from the whole batch's rows (WholeBatchLoss); computed over each worker's part alone it trains
   * something else, which is what the cluster did before (so the first check can fail).
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"hub", "all-reduce"})
  void aLossOverTheWholeBatchTrainsAsInOneProcess(String exchange) {
    Dataset d = data(64);
    TrainResult single = quiet().train(new TinyContrastiveModel(true), ModelConfig.empty(), d, options("whole-single-" + exchange, 10));
    TrainResult distributed = quiet().onCluster(workers.cluster(), Duration.ofSeconds(20)).exchange(exchange)
        .train(new TinyContrastiveModel(true), ModelConfig.empty(), d, options("whole-cluster-" + exchange, 10));
    float diff = WeightDifference.maxAbs(tmp.resolve("whole-single-" + exchange), tmp.resolve("whole-cluster-" + exchange));
    System.out.printf("tiny contrastive, --exchange %s, 10 steps, batch 8 = 2 x 4: max |w_cluster - w_single| = %g; loss %.7f vs %.7f%n",
        exchange, diff, distributed.lastLoss(), single.lastLoss());
    assertTrue(diff < 1e-5, "max abs difference " + diff);
    assertEquals(single.lastLoss(), distributed.lastLoss(), 1e-5);
    quiet().onCluster(workers.cluster(), Duration.ofSeconds(20)).exchange(exchange)
        .train(new TinyContrastiveModel(false), ModelConfig.empty(), d, options("parts-cluster-" + exchange, 10));
    float apart = WeightDifference.maxAbs(tmp.resolve("whole-single-" + exchange), tmp.resolve("parts-cluster-" + exchange));
    assertTrue(apart > 1e-3, "each worker's part alone should train something else: " + apart);
  }

  @Test
  void aModelThatCannotBeSplitIsRefusedWithItsReason() {
    TinyAutoencoderModel unsplittable = new TinyAutoencoderModel() {
      @Override
      public String unsplittableReason(ModelConfig config) {
        return "its loss looks at the whole batch";
      }
    };
    TesseraException e = assertThrows(TesseraException.class, () -> quiet().onCluster(workers.cluster(), Duration.ofSeconds(5))
        .train(unsplittable, ModelConfig.empty(), data(16), options("unsplittable", 2)));
    assertEquals("model 'tiny' cannot be split over workers yet: its loss looks at the whole batch; train it in one process", e.getMessage());
    assertTrue(!Files.exists(tmp.resolve("unsplittable").resolve("checkpoint.safetensors")), "refused before the first step");
  }

  @Test
  void modelsWithStepHooksAreRefusedWithAReason() {
    TinyAutoencoderModel withHook = new TinyAutoencoderModel(ctx -> { });
    TesseraException e = assertThrows(TesseraException.class, () -> quiet().onCluster(workers.cluster(), Duration.ofSeconds(5))
        .train(withHook, ModelConfig.empty(), data(16), options("hook", 2)));
    assertTrue(e.getMessage().contains("cannot be split over workers"), e.getMessage());
  }

  /**
   * The workers keep oneDNN on, and with it TensorFlow 2.18's distributed steps that hold a
   * BiasAdd never finish: replicas built on the api's layers add biases with Add (the runs above
   * prove they train), and a graph that holds a BiasAdd anyway is refused with a reason, not left to
   * time out.
   */
  @Test
  void aReplicaAddsItsBiasesWithoutBiasAdd() {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      GraphScope root = GraphScope.root(g);
      GraphScope replica = root.replica("task1", org.tensorflow.DeviceSpec.newBuilder().build());
      Operand<TFloat32> x = root.tf().constant(new float[][] {{1f, 2f}});
      Operand<TFloat32> b = root.tf().constant(new float[] {1f, 1f});
      assertEquals("Add", replica.child("layer").addBias(x, b).op().type());
      assertEquals("BiasAdd", root.child("layer").addBias(x, b).op().type(), "one process keeps the op oneDNN fuses");
      String message = assertThrows(TesseraException.class, () -> ClusterLayout.refuseBiasAdd(g)).getMessage();
      assertTrue(message.startsWith("the model's graph adds a bias with BiasAdd ('layer/BiasAdd'"), message);
    }
  }

  /**
   * The other replicas read each variable through one copy on their task, and task 0's replica waits for those
   * copies before it starts (it would otherwise compute first and serve the variables late: docs/distributed.md).
   */
  @Test
  void otherTasksReadEachVariableOnceAndTaskZeroWaitsForTheCopies() {
    ClusterLayout layout = new ClusterLayout(ClusterSpec.of("127.0.0.1:1", "127.0.0.1:2"), Duration.ofSeconds(1));
    ImageBatch images = data(8).images();
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      GraphScope root = layout.root(g);
      StepGraph step = layout.build(root, (scope, shard, shards, after) -> Replica.build(scope, shard, shards, after,
          new TinyAutoencoderModel(), ModelConfig.empty(), images, 0, null, true), dev.tessera.api.train.AdamOptimizer.Config.defaults(1e-3));
      for (Replica r : step.replicas()) {
        assertTrue(r.images() == null && r.rows() != null && r.data() != null, "each task holds the data set; a step feeds rows");
      }
      int variables = step.replicas().get(0).graph().trainable().size();
      assertEquals(4, variables, "two convolutions, kernel and bias each");
      // Every op of task 1 that reads a variable is its one copy.
      java.util.Map<String, Integer> copies = new java.util.HashMap<>();
      java.util.Set<org.tensorflow.GraphOperation> copyOps = new java.util.HashSet<>();
      java.util.Iterator<org.tensorflow.GraphOperation> ops = g.operations();
      while (ops.hasNext()) {
        org.tensorflow.GraphOperation op = ops.next();
        for (int i = 0; i < op.numInputs(); i++) {
          org.tensorflow.Operation source = op.input(i).op();
          // (the data set task 1 holds is its own variable: WorkerData)
          if (source.type().equals("VariableV2") && op.device().contains("task:1") && !source.name().contains("worker_data/")) {
            assertEquals("Identity", op.type(), op.name() + " on task 1 reads " + source.name() + " itself");
            copies.merge(source.name(), 1, Integer::sum);
            copyOps.add(op);
          }
        }
      }
      assertEquals(variables, copies.size(), "every variable copied to task 1: " + copies);
      assertTrue(copies.values().stream().allMatch(c -> c == 1), "once each: " + copies);
      // Task 0's inputs wait for those copies.
      org.tensorflow.GraphOperation gatedImages = null;
      ops = g.operations();
      while (ops.hasNext()) {
        org.tensorflow.GraphOperation op = ops.next();
        if (op.name().startsWith("task0/") && op.type().equals("Identity") && op.controlInputs().equals(copyOps)) {
          gatedImages = op;
        }
      }
      assertTrue(gatedImages != null, "task 0's inputs wait for task 1's copies of the " + variables + " variables");
    }
  }

  @Test
  void aBatchThatDoesNotSplitEvenlyIsRefused() {
    TesseraException e = assertThrows(TesseraException.class, () -> quiet().onCluster(workers.cluster(), Duration.ofSeconds(5))
        .train(new TinyAutoencoderModel(), ModelConfig.empty(), data(16), options("odd", 2).withBatchSize(7)));
    assertTrue(e.getMessage().contains("batch size 7 does not split evenly over 2 workers"), e.getMessage());
  }
}
