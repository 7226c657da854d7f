package dev.tessera.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.Dataset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir Path tmp;

  private static Dataset data(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] px = new float[n * 16];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextDouble();
    }
    return Dataset.unlabeled("random", new ImageBatch(n, 4, 4, 1, px));
  }

  private static Dataset nanData() {
    float[] px = new float[8 * 16];
    Arrays.fill(px, Float.NaN);
    return Dataset.unlabeled("nan", new ImageBatch(8, 4, 4, 1, px));
  }

  private static TrainResult train(Path dir, long steps, boolean resume, Dataset data) {
    TrainOptions o = TrainOptions.defaults(dir).withSteps(steps).withCheckpointEvery(2).withResume(resume);
    return new Trainer(new PrintWriter(new StringWriter())).train(new TinyAutoencoderModel(), ModelConfig.empty(), data, o);
  }

  private static float[] weights(Path dir, String name) {
    return Parameters.load(dir.resolve(ModelWeights.WEIGHTS_FILE)).get(name).toFloats();
  }

  @Test
  void trainingReducesTheLossAndWritesWeightsConfigAndLog() throws Exception {
    Dataset d = data(32, 1);
    TrainResult first = train(tmp.resolve("a"), 1, false, d);
    TrainResult last = train(tmp.resolve("b"), 60, false, d);
    assertTrue(last.lastLoss() < first.lastLoss(), "loss " + first.lastLoss() + " -> " + last.lastLoss());
    assertTrue(ModelWeights.exists(tmp.resolve("b")));
    assertTrue(Files.readString(tmp.resolve("b/train-log.csv")).startsWith("step,loss,mse"));
    ModelWeights w = ModelWeights.load(tmp.resolve("b"));
    assertEquals(4, w.config().getInt("image_size", 0));
    // model.safetensors holds the weights only; optimizer state is in the checkpoint
    assertFalse(w.parameters().names().stream().anyMatch(n -> n.contains("adam")));
    assertTrue(Parameters.load(Checkpoint.file(tmp.resolve("b"))).names().stream().anyMatch(n -> n.endsWith(".adam_m")));
  }

  @Test
  void sameSeedGivesIdenticalWeights() {
    Dataset d = data(32, 2);
    train(tmp.resolve("a"), 5, false, d);
    train(tmp.resolve("b"), 5, false, d);
    assertArrayEquals(weights(tmp.resolve("a"), "tiny.enc.kernel"), weights(tmp.resolve("b"), "tiny.enc.kernel"));
  }

  @Test
  void resumeContinuesExactlyAsAnUninterruptedRun() {
    Dataset d = data(32, 3);
    train(tmp.resolve("straight"), 6, false, d);
    train(tmp.resolve("resumed"), 4, false, d);
    TrainResult r = train(tmp.resolve("resumed"), 6, true, d);
    assertEquals(4, r.firstStep());
    assertEquals(6, r.lastStep());
    for (String name : new String[] {"tiny.enc.kernel", "tiny.enc.bias", "tiny.dec.kernel", "tiny.dec.bias"}) {
      assertArrayEquals(weights(tmp.resolve("straight"), name), weights(tmp.resolve("resumed"), name), 1e-6f, name);
    }
  }

  @Test
  void checkpointRoundTripRestoresEveryVariableAndTheStep() {
    Dataset d = data(16, 4);
    train(tmp.resolve("a"), 3, false, d);
    Parameters ckpt = Parameters.load(Checkpoint.file(tmp.resolve("a")));
    assertEquals("3", ckpt.metadata().get("step"));
    assertEquals(3f, ckpt.get("optimizer.step").toFloats()[0]);
    // Resuming to the same step restores and changes nothing.
    TrainResult r = train(tmp.resolve("a"), 3, true, d);
    assertEquals(3, r.lastStep());
    assertEquals(ckpt.get("tiny.enc.kernel"), Parameters.load(Checkpoint.file(tmp.resolve("a"))).get("tiny.enc.kernel"));
  }

  @Test
  void aCrashBetweenCheckpointsLeavesTheLastOneResumable() throws Exception {
    Dataset d = data(16, 5);
    Path dir = tmp.resolve("crash");
    TrainOptions o = TrainOptions.defaults(dir).withSteps(6).withCheckpointEvery(2);
    TinyAutoencoderModel crashing = new TinyAutoencoderModel(ctx -> {
      if (ctx.step() == 5) {
        throw new IllegalStateException("simulated crash");
      }
    });
    Trainer trainer = new Trainer(new PrintWriter(new StringWriter()));
    assertThrows(IllegalStateException.class, () -> trainer.train(crashing, ModelConfig.empty(), d, o));
    // A save killed half-way leaves a temporary file behind; it must not matter.
    Files.write(dir.resolve("checkpoint.safetensors.tmp-123"), new byte[] {1, 2, 3});
    Files.writeString(dir.resolve("train-log.csv"), "5,0.1,0.1,1.0\n", java.nio.file.StandardOpenOption.APPEND); // logged before the crash
    assertEquals("4", Parameters.load(Checkpoint.file(dir)).metadata().get("step"));
    train(dir, 6, true, d);
    train(tmp.resolve("straight"), 6, false, d);
    assertArrayEquals(weights(tmp.resolve("straight"), "tiny.dec.kernel"), weights(dir, "tiny.dec.kernel"), 1e-6f);
    long rowsForStep5 = Files.readAllLines(dir.resolve("train-log.csv")).stream().filter(l -> l.startsWith("5,")).count();
    assertEquals(0, rowsForStep5, "steps after the checkpoint are dropped from the log on resume (log every 50: none re-logged)");
  }

  @Test
  void nanLossStopsTrainingAndKeepsTheLastGoodCheckpoint() throws Exception {
    Path dir = tmp.resolve("nan");
    train(dir, 4, false, data(16, 6));
    byte[] before = Files.readAllBytes(Checkpoint.file(dir));
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> train(dir, 8, true, nanData()));
    assertEquals(5, e.step());
    assertTrue(e.getMessage().contains("step 5"), e.getMessage());
    assertTrue(e.getMessage().contains("step 4"), e.getMessage());
    // The message names the loss tensor, the metrics and the variables that went non-finite.
    assertTrue(e.getMessage().contains("tensor '"), e.getMessage());
    assertTrue(e.getMessage().contains("mse=NaN"), e.getMessage());
    assertTrue(e.getMessage().contains("variables holding NaN/Inf after the update: "), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(Checkpoint.file(dir)));
  }

  @Test
  void refusesToOverwriteARunAndToResumeNothing() {
    Dataset d = data(8, 7);
    train(tmp.resolve("a"), 2, false, d);
    TesseraException overwrite = assertThrows(TesseraException.class, () -> train(tmp.resolve("a"), 2, false, d));
    assertTrue(overwrite.getMessage().contains("--resume"));
    TesseraException none = assertThrows(TesseraException.class, () -> train(tmp.resolve("empty"), 2, true, d));
    assertTrue(none.getMessage().contains("no checkpoint"));
  }

  @Test
  void wrongImageSizeIsAClearError() {
    Dataset big = Dataset.unlabeled("big", new ImageBatch(2, 8, 8, 1, new float[128]));
    TesseraException e = assertThrows(TesseraException.class, () -> train(tmp.resolve("x"), 1, false, big));
    assertTrue(e.getMessage().contains("8x8x1") && e.getMessage().contains("4x4x1"), e.getMessage());
  }

  @Test
  void batchesDependOnlyOnSeedAndStep() {
    assertArrayEquals(Trainer.batchRows(1, 10, 8, 100), Trainer.batchRows(1, 10, 8, 100));
    assertFalse(Arrays.equals(Trainer.batchRows(1, 10, 8, 100), Trainer.batchRows(1, 11, 8, 100)));
    assertEquals(0.1, Trainer.scheduledRate(1.0, "cosine", 100, 100), 1e-9);
    assertEquals(1.0, Trainer.scheduledRate(1.0, "cosine", 0, 100), 1e-9);
    assertThrows(TesseraException.class, () -> Trainer.scheduledRate(1.0, "warp", 1, 10));
  }

  /** Trains only the decoder of the tiny autoencoder; its encoder comes pretrained and stays frozen. */
  static final class FrozenEncoderModel implements dev.tessera.api.spi.TrainableModel {
    final Parameters encoder;
    dev.tessera.api.spi.ComponentLookup seen;

    FrozenEncoderModel(Parameters encoder) {
      this.encoder = encoder;
    }

    @Override
    public String name() {
      return "frozen";
    }

    @Override
    public ModelConfig defaultConfig() {
      return new TinyAutoencoderModel().defaultConfig();
    }

    @Override
    public dev.tessera.api.train.TrainingGraph buildTraining(dev.tessera.api.train.TrainingContext ctx) {
      seen = ctx.components();
      dev.tessera.api.train.TrainingGraph full = new TinyAutoencoderModel().buildTraining(ctx.scope(), ctx.config(), ctx.inputs());
      return new dev.tessera.api.train.TrainingGraph(full.loss(), full.metrics(), ctx.scope().variables().trainable("tiny.dec"),
          full.updates(), null, java.util.List.of(encoder));
    }
  }

  @Test
  void pretrainedPartsAreLoadedAndStayFrozenWhileTheRestTrains() {
    Dataset d = data(16, 8);
    train(tmp.resolve("source"), 3, false, d);
    Parameters source = Parameters.load(tmp.resolve("source").resolve(ModelWeights.WEIGHTS_FILE));
    Parameters encoderOnly = new Parameters("pretrained encoder");
    encoderOnly.put("tiny.enc.kernel", source.get("tiny.enc.kernel")).put("tiny.enc.bias", source.get("tiny.enc.bias"));
    FrozenEncoderModel model = new FrozenEncoderModel(encoderOnly);
    dev.tessera.api.spi.ComponentLookup lookup = new dev.tessera.api.spi.ComponentLookup() {
      public dev.tessera.api.spi.Tokenizer tokenizer(String n) { return null; }
      public dev.tessera.api.spi.Encoder encoder(String n) { return null; }
      public dev.tessera.api.spi.Quantizer quantizer(String n) { return null; }
      public dev.tessera.api.spi.Prior prior(String n) { return null; }
      public dev.tessera.api.spi.Decoder decoder(String n) { return null; }
      public dev.tessera.api.spi.Guidance guidance(String n) { return null; }
      public dev.tessera.api.spi.TrainableModel model(String n) { return null; }
    };
    Path dir = tmp.resolve("frozen");
    new Trainer(new PrintWriter(new StringWriter())).withComponents(lookup)
        .train(model, ModelConfig.empty(), d, TrainOptions.defaults(dir).withSteps(5).withCheckpointEvery(5));
    assertEquals(lookup, model.seen);
    assertArrayEquals(source.get("tiny.enc.kernel").toFloats(), weights(dir, "tiny.enc.kernel"));
    assertFalse(Arrays.equals(source.get("tiny.dec.kernel").toFloats(), weights(dir, "tiny.dec.kernel")));
  }

  /** The tiny autoencoder with an average of its weights exported in their place. */
  static final class AveragedModel implements dev.tessera.api.spi.TrainableModel {
    @Override
    public String name() {
      return "averaged";
    }

    @Override
    public ModelConfig defaultConfig() {
      return new TinyAutoencoderModel().defaultConfig();
    }

    @Override
    public dev.tessera.api.train.TrainingGraph buildTraining(dev.tessera.api.train.TrainingContext ctx) {
      dev.tessera.api.train.TrainingGraph full = new TinyAutoencoderModel().buildTraining(ctx.scope(), ctx.config(), ctx.inputs());
      var tracked = full.trainable();
      var updates = new java.util.ArrayList<>(full.updates());
      updates.addAll(dev.tessera.api.train.WeightAverage.track(ctx.scope(), tracked, "tiny.", "tiny_average.", 0.5,
          ctx.inputs().step(ctx.scope().tf())));
      return new dev.tessera.api.train.TrainingGraph(full.loss(), full.metrics(), tracked, updates, null)
          .withExported(dev.tessera.api.train.WeightAverage.exported(tracked, "tiny.", "tiny_average."));
    }
  }

  @Test
  void anExportedAverageReplacesTheWeightsInTheModelFileWhileTheCheckpointKeepsBoth() {
    Dataset d = data(16, 8);
    Path dir = tmp.resolve("averaged");
    TrainOptions o = TrainOptions.defaults(dir).withSteps(4).withCheckpointEvery(4);
    new Trainer(new PrintWriter(new StringWriter())).train(new AveragedModel(), ModelConfig.empty(), d, o);
    Parameters model = Parameters.load(dir.resolve(ModelWeights.WEIGHTS_FILE));
    Parameters checkpoint = Parameters.load(Checkpoint.file(dir));
    assertTrue(model.names().stream().noneMatch(n -> n.startsWith("tiny_average.")), model.names().toString());
    for (String name : new String[] {"tiny.enc.kernel", "tiny.dec.bias"}) {
      String average = name.replace("tiny.", "tiny_average.");
      assertArrayEquals(checkpoint.get(average).toFloats(), model.get(name).toFloats(), name);
      assertFalse(Arrays.equals(checkpoint.get(name).toFloats(), model.get(name).toFloats()), name + " is the last value, not the average");
    }
    // --resume reads the checkpoint, both copies included, and goes on.
    new Trainer(new PrintWriter(new StringWriter())).train(new AveragedModel(), ModelConfig.empty(), d, o.withSteps(6).withResume(true));
    assertEquals("6", Parameters.load(dir.resolve(ModelWeights.WEIGHTS_FILE)).metadata().get("step"));
  }

  @Test
  void aRunResumedWithANewAverageStartsItFromTheRestoredWeights() {
    Dataset d = data(16, 8);
    Path dir = tmp.resolve("later");
    train(dir, 4, false, d);
    Parameters before = Parameters.load(Checkpoint.file(dir));
    StringWriter log = new StringWriter();
    TrainOptions o = TrainOptions.defaults(dir).withSteps(4).withCheckpointEvery(4).withResume(true);
    new Trainer(new PrintWriter(log)).train(new AveragedModel(), ModelConfig.empty(), d, o);
    assertTrue(log.toString().contains("their averages start from the restored weights"), log.toString());
    // Nothing trained (already at step 4): the exported averages are the restored weights.
    assertArrayEquals(before.get("tiny.enc.kernel").toFloats(), weights(dir, "tiny.enc.kernel"));
    assertArrayEquals(before.get("tiny.enc.kernel").toFloats(), Parameters.load(Checkpoint.file(dir)).get("tiny_average.enc.kernel").toFloats());
  }

  /** A lookup whose only model is {@code name}, shipping {@code weights}. */
  static dev.tessera.api.spi.ComponentLookup shipping(String name, ModelWeights weights) {
    dev.tessera.api.spi.TrainableModel source = new dev.tessera.api.spi.TrainableModel() {
      public String name() { return name; }
      public ModelConfig defaultConfig() { return ModelConfig.empty(); }
      public ModelWeights shippedWeights() { return weights; }
    };
    return new dev.tessera.api.testing.DummyComponents(source);
  }

  @Test
  void frozenTensorsOfAShippedModelAreLeftOutOfTheWeightsFileAndFilledInByFingerprint() {
    Dataset d = data(16, 8);
    train(tmp.resolve("source"), 3, false, d);
    Parameters source = Parameters.load(tmp.resolve("source").resolve(ModelWeights.WEIGHTS_FILE));
    Parameters encoderOnly = new Parameters("shipped encoder");
    encoderOnly.put("tiny.enc.kernel", source.get("tiny.enc.kernel")).put("tiny.enc.bias", source.get("tiny.enc.bias"));
    encoderOnly.metadata().put("model", "encoder-model");
    ModelWeights shipped = new ModelWeights(ModelConfig.empty(), encoderOnly);
    Path dir = tmp.resolve("frozen");
    new Trainer(new PrintWriter(new StringWriter())).withComponents(shipping("encoder-model", shipped))
        .train(new FrozenEncoderModel(encoderOnly), ModelConfig.empty(), d, TrainOptions.defaults(dir).withSteps(4).withCheckpointEvery(4));

    ModelWeights saved = ModelWeights.load(dir);
    assertEquals(null, saved.parameters().find("tiny.enc.kernel"), "left out of model.safetensors");
    assertTrue(saved.parameters().find("tiny.dec.kernel") != null);
    assertEquals(encoderOnly.fingerprint(), saved.config().node(ModelWeights.WEIGHTS_FROM_KEY).get("encoder-model").asText());
    assertTrue(Parameters.load(Checkpoint.file(dir)).find("tiny.enc.kernel") != null, "kept in the checkpoint for --resume");

    ModelWeights completed = dev.tessera.api.pipeline.ReferencedWeights.complete(saved, shipping("encoder-model", shipped));
    assertArrayEquals(encoderOnly.get("tiny.enc.kernel").toFloats(), completed.parameters().get("tiny.enc.kernel").toFloats());

    Parameters changed = new Parameters("retrained encoder");
    changed.put("tiny.enc.kernel", source.get("tiny.dec.kernel")).put("tiny.enc.bias", source.get("tiny.enc.bias"));
    TesseraException e = assertThrows(TesseraException.class, () -> dev.tessera.api.pipeline.ReferencedWeights.complete(saved,
        shipping("encoder-model", new ModelWeights(ModelConfig.empty(), changed))));
    assertTrue(e.getMessage().contains("trained with other 'encoder-model' weights"), e.getMessage());

    // Re-running a finished run rewrites the weights from the checkpoint and trains nothing.
    StringWriter log = new StringWriter();
    new Trainer(new PrintWriter(log)).withComponents(shipping("encoder-model", shipped))
        .train(new FrozenEncoderModel(encoderOnly), ModelConfig.empty(), d, TrainOptions.defaults(dir).withSteps(4).withResume(true));
    assertTrue(log.toString().contains("weights rewritten"), log.toString());
  }

  @Test
  void adamBetasComeFromTheConfigAndOutOfRangeOnesNameTheKey() {
    assertEquals(0.9, Trainer.adamBeta(ModelConfig.empty(), "adam_beta1", 0.9));
    assertEquals(0.5, Trainer.adamBeta(ModelConfig.empty().with("adam_beta1", 0.5), "adam_beta1", 0.9));
    for (double bad : new double[] {-0.1, 1.0}) {
      assertTrue(assertThrows(TesseraException.class, () -> Trainer.adamBeta(ModelConfig.empty().with("adam_beta2", bad), "adam_beta2", 0.999))
          .getMessage().contains("'adam_beta2' must be in [0, 1)"));
    }
  }

  @Test
  void theProgressLineShowsAPhaseThatHasNotStartedByItsFirstStepNotByNaN() {
    java.util.Map<String, Double> metrics = new java.util.LinkedHashMap<>();
    metrics.put("mse", 0.5);
    metrics.put("disc_loss", Double.NaN);
    metrics.put("disc_real", Double.NaN);
    java.util.List<dev.tessera.api.train.TrainingGraph.Phase> phases =
        java.util.List.of(new dev.tessera.api.train.TrainingGraph.Phase("disc", null, java.util.List.of(), 1000, java.util.Map.of()));

    assertEquals(java.util.Map.of("mse", 0.5, "disc", "from step 1001"), Trainer.shownMetrics(metrics, phases, 1000));
    metrics.put("disc_loss", 1.2);
    metrics.put("disc_real", 0.3);
    assertEquals(metrics, Trainer.shownMetrics(metrics, phases, 1001), "once the phase runs, its metrics are shown as they are");
  }

  /** The tiny autoencoder, recording the class names it is given the way a classifier does (refusing others on resume). */
  private static final class LabelRecordingModel implements dev.tessera.api.spi.TrainableModel {
    final java.util.List<java.util.List<String>> seen = new java.util.ArrayList<>();

    @Override
    public String name() {
      return "tiny";
    }

    @Override
    public ModelConfig defaultConfig() {
      return new TinyAutoencoderModel().defaultConfig();
    }

    @Override
    public ModelConfig adaptToLabels(ModelConfig config, java.util.List<String> classNames) {
      seen.add(classNames);
      com.fasterxml.jackson.databind.JsonNode saved = config.node("class_names");
      if (saved != null && !saved.toString().equals(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(classNames).toString())) {
        throw new TesseraException("other classes");
      }
      return config.with("class_names", classNames);
    }

    @Override
    public dev.tessera.api.train.TrainingGraph buildTraining(dev.tessera.api.graph.GraphScope scope, ModelConfig config,
        dev.tessera.api.train.TrainingInputs inputs) {
      return new TinyAutoencoderModel().buildTraining(scope, config, inputs);
    }
  }

  @Test
  void theModelSeesTheClassNamesOfTheDataBeforeEveryRunAndTheyAreSaved() {
    Dataset unlabelled = data(8, 3);
    Dataset labelled = new Dataset("labelled", unlabelled.images(), new int[] {0, 1, 0, 1, 0, 1, 0, 1}, java.util.List.of("cat", "dog"));
    LabelRecordingModel model = new LabelRecordingModel();
    Path dir = tmp.resolve("labels");
    Trainer trainer = new Trainer(new PrintWriter(new StringWriter()));
    trainer.train(model, ModelConfig.empty(), labelled, TrainOptions.defaults(dir).withSteps(2).withCheckpointEvery(2));
    assertEquals("[\"cat\",\"dog\"]", ModelWeights.load(dir).config().node("class_names").toString());
    Dataset other = new Dataset("other", unlabelled.images(), labelled.labels(), java.util.List.of("cat", "bird"));
    assertThrows(TesseraException.class,
        () -> trainer.train(model, ModelConfig.empty(), other, TrainOptions.defaults(dir).withSteps(4).withResume(true)));
    trainer.train(model, ModelConfig.empty(), labelled, TrainOptions.defaults(dir).withSteps(4).withResume(true));
    trainer.train(model, ModelConfig.empty(), unlabelled, TrainOptions.defaults(tmp.resolve("none")).withSteps(1));
    assertEquals(java.util.List.of(java.util.List.of("cat", "dog"), java.util.List.of("cat", "bird"), java.util.List.of("cat", "dog"),
        java.util.List.of()), model.seen);
  }
}
