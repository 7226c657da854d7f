package dev.tessera.runtime.train;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.StepHook;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.types.TokenIds;
import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.data.Captioner;
import dev.tessera.runtime.data.Dataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * The training loop every model shares: Adam over the variables the model names, deterministic
 * batches (step s of seed k always sees the same images, so a resumed run matches an
 * uninterrupted one), a progress bar, atomic checkpoints, and a stop on NaN/Inf loss that leaves
 * the last good checkpoint in place. The same loop trains in this process or data-parallel on a
 * cluster of TensorFlow servers ({@link #onCluster}); a {@link TrainingLayout} holds the difference.
 */
public final class Trainer {
  /**
   * {@code TESSERA_TRACE_STEP=N}: the step whose run is traced ({@link StepTrace}: RUN_DIR/trace-step-N.json and a
   * per-device summary on the output); 0 or unset, none. For finding where a step's time goes, on a cluster above all.
   */
  static long traceStep(String setting) {
    if (setting == null || setting.isBlank()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(setting.strip()));
    } catch (NumberFormatException e) {
      throw new dev.tessera.api.TesseraException("TESSERA_TRACE_STEP is '" + setting + "': give a step number");
    }
  }

  private final PrintWriter out;
  private Tokenizer tokenizer;
  private Captioner captioner;
  private dev.tessera.api.spi.ComponentLookup components;
  private ClusterSpec cluster;
  private Duration workerTimeout;
  private ClusterLayout.Exchange exchange = ClusterLayout.Exchange.HUB;
  private int task = -1;
  private Path imagesFile;

  public Trainer(PrintWriter out) {
    this.out = out;
  }

  /** Config key: seconds spent training these weights, summed over resumed runs. */
  public static final String TRAINING_SECONDS = "training_seconds";

  /** Other plugins' components, for models that compose them (see TrainableModel#buildTraining(TrainingContext)). */
  public Trainer withComponents(dev.tessera.api.spi.ComponentLookup lookup) {
    this.components = lookup;
    return this;
  }

  /**
   * Trains data-parallel on the TensorFlow servers of {@code cluster} (started with {@code
   * tessera worker}) instead of in this process; see {@link ClusterLayout}.
   *
   * @param workerTimeout how long to wait for a worker to accept connections at start, and for
   *     any one step's answer: a lost worker stops training after at most this long
   */
  public Trainer onCluster(ClusterSpec cluster, Duration workerTimeout) {
    this.cluster = cluster;
    this.workerTimeout = workerTimeout;
    return this;
  }

  /**
   * Between-graph replication: this process is task {@code task} of the cluster given to {@link #onCluster}, its own
   * TensorFlow server and client, and trains its replica while the other tasks run the same training
   * ({@link BetweenGraphLayout}; gradients by all-reduce). Task 0 writes the checkpoints and the log.
   */
  public Trainer asTask(int task) {
    if (cluster == null) {
      throw new IllegalStateException("asTask needs onCluster first");
    }
    cluster.checkTask(task);
    this.task = task;
    this.exchange = ClusterLayout.Exchange.ALL_REDUCE;
    return this;
  }

  /** Checks a value of {@code --exchange}: one line naming the choices where it is neither. */
  public static void checkExchange(String exchange) {
    ClusterLayout.Exchange.parse(exchange);
  }

  /**
   * How a cluster run's replicas exchange gradients: {@code hub} (every variable and the optimizer on task 0, the
   * default) or {@code all-reduce} (a copy of every variable on every task, gradients averaged by TensorFlow's
   * collective all-reduce); see docs/distributed.md.
   */
  public Trainer exchange(String exchange) {
    checkExchange(exchange);
    this.exchange = ClusterLayout.Exchange.parse(exchange);
    return this;
  }

  /**
   * The IDX file the data set's images were read from (its first {@code data.size()} images, as
   * they are): on a cluster each worker reads it from its own disk at the same path instead of
   * receiving the client's copy ({@link WorkerData#read}); null: the client copies them.
   */
  public Trainer withImagesFile(Path idxFile) {
    this.imagesFile = idxFile;
    return this;
  }

  /** Captions for models that read text: drawn per example and step, tokenized with {@code tokenizer}. */
  public Trainer withText(Tokenizer tokenizer, Captioner captioner) {
    this.tokenizer = tokenizer;
    this.captioner = captioner;
    return this;
  }

  public TrainResult train(TrainableModel model, ModelConfig overrides, Dataset data, TrainOptions options) {
    Path dir = options.outDir();
    ModelConfig config = model.defaultConfig().merge(overrides);
    if (options.resume()) {
      if (!Checkpoint.exists(dir)) {
        throw new TesseraException("--resume: no checkpoint in " + dir + " (expected " + Checkpoint.CHECKPOINT_FILE + ")");
      }
      Path saved = dir.resolve(dev.tessera.api.io.ModelWeights.CONFIG_FILE);
      if (Files.isRegularFile(saved)) {
        config = ModelConfig.read(saved).merge(overrides);
      }
    } else if (Checkpoint.exists(dir)) {
      throw new TesseraException(dir + " already holds a checkpoint: pass --resume to continue it or choose another --output-dir");
    }
    if (!options.resume() && components != null) {
      config = model.resolveComponents(config, components);
    }
    if (!options.resume() && model.tokenizer(config) != null && tokenizer != null && captioner != null) {
      config = model.adaptToCaptions(config, sampleCaptions(data, options.seed()));
    }
    // Also on resume: a classifier refuses data whose classes are not the ones it was started with.
    config = model.adaptToLabels(config, data.hasLabels() ? data.classNames() : List.of());
    int batchSize = options.batchSize() > 0 ? options.batchSize() : config.getPositiveInt("batch_size", 32);
    double lr = options.learningRate() > 0 ? options.learningRate() : config.getDouble("learning_rate", 1e-3);
    config = config.with("batch_size", batchSize).with("learning_rate", lr);
    ImageBatch images = data.images();
    checkImageSize(config, images);

    TrainingLayout layout = cluster == null ? new SingleProcessLayout(options.device())
        : task >= 0 ? new BetweenGraphLayout(cluster, task, workerTimeout, options.seed())
        : new ClusterLayout(cluster, workerTimeout, exchange);
    boolean writes = layout.writes();
    if (cluster != null) {
      String reason = model.unsplittableReason(config);
      if (reason != null) {
        throw new TesseraException("model '" + model.name() + "' cannot be split over workers yet: " + reason + "; train it in one process");
      }
      StepBatch.checkDivisible(batchSize, cluster.size());
    }
    layout.checkReady();
    Graph graph = new Graph();
    boolean[] abandoned = {false}; // the graph and session are left open after a lost worker (TrainingLayout.abandon)
    try {
      GraphScope scope = layout.root(graph);
      int textLength = model.textLength(config);
      if (textLength > 0 && (tokenizer == null || captioner == null)) {
        throw new TesseraException("model '" + model.name() + "' trains on captions, but the data set " + data.name() + " has none");
      }
      ModelConfig modelConfig = config;
      // GANs train with a short first-moment memory (beta1 0.5 or 0), so a model's config may set the betas.
      AdamOptimizer.Config adamConfig = new AdamOptimizer.Config(lr, adamBeta(config, "adam_beta1", 0.9), adamBeta(config, "adam_beta2", 0.999), 1e-8,
          options.clipNorm());
      // On a cluster each task holds the data set and a step sends it its shard's rows (WorkerData);
      // TESSERA_CLUSTER_DATA=client feeds every shard's images through the client instead (for comparison), as does
      // a data set larger than one tensor may be (GraphBudget.MAX_TENSOR values).
      boolean dataOnTasks = cluster != null && !"client".equals(System.getenv("TESSERA_CLUSTER_DATA"))
          && images.data().length <= dev.tessera.api.graph.GraphBudget.MAX_TENSOR;
      StepGraph stepGraph;
      try {
        stepGraph = layout.build(scope, (s, shard, shards, after) -> Replica.build(s, shard, shards, after, model, modelConfig, images, textLength,
            components, dataOnTasks), adamConfig);
        dev.tessera.api.graph.GraphBudget.checkActivations(graph);
      } catch (dev.tessera.api.graph.GraphBudget.OverBudget e) {
        throw e.naming(modelConfig);
      }
      TrainingGraph tg = stepGraph.model();
      AdamOptimizer adam = stepGraph.optimizer();
      List<String> metricNames = new ArrayList<>(stepGraph.metrics().keySet());
      // A session run may not fetch one output twice (a metric may be the loss itself).
      List<Operand<TFloat32>> fetches = new ArrayList<>(List.of(stepGraph.loss()));
      int[] fetchIndex = new int[metricNames.size()];
      for (int i = 0; i < metricNames.size(); i++) {
        Operand<TFloat32> m = stepGraph.metrics().get(metricNames.get(i));
        int at = -1;
        for (int j = 0; j < fetches.size(); j++) {
          if (fetches.get(j).asOutput().equals(m.asOutput())) {
            at = j;
          }
        }
        if (at < 0) {
          fetches.add(m);
          at = fetches.size() - 1;
        }
        fetchIndex[i] = at;
      }

      // Frozen tensors of a shipped model (its weights carry the model's name) are left out of
      // model.safetensors and referenced by name and fingerprint: the file stays small.
      java.util.Set<String> leftOut = new java.util.HashSet<>();
      java.util.Map<String, String> weightsFrom = new java.util.TreeMap<>();
      java.util.Set<String> trainableNames = new java.util.HashSet<>();
      tg.trainable().forEach(e -> trainableNames.add(e.name()));
      tg.phases().forEach(phase -> phase.trainable().forEach(e -> trainableNames.add(e.name())));
      for (dev.tessera.api.io.Parameters p : tg.pretrained()) {
        String from = p.metadata().get("model");
        if (from == null) {
          continue;
        }
        boolean referenced = false;
        for (String name : p.names()) {
          if (scope.variables().contains(name) && !trainableNames.contains(name)) {
            leftOut.add(name);
            referenced = true;
          }
        }
        if (referenced) { // weights only used to initialise trained variables are not a reference
          weightsFrom.put(from, p.fingerprint());
        }
      }
      if (!weightsFrom.isEmpty()) {
        config = config.with(dev.tessera.api.io.ModelWeights.WEIGHTS_FROM_KEY, weightsFrom);
      }
      final ModelConfig savedConfig = config;

      Position position = new Position();
      Session session = layout.open(graph);
      try {
        try {
          long step;
          if (options.resume()) {
            int stale = writes ? Checkpoint.removeStaleTemporaries(dir) : 0;
            if (stale > 0) {
              out.printf(Locale.ROOT, "removed %d temporary file(s) of a save that was interrupted%n", stale);
            }
            Checkpoint.Restored restored = Checkpoint.restore(dir, session, scope.variables(), tg.exported());
            step = restored.step();
            if (restored.averagesStarted() > 0) {
              out.printf(Locale.ROOT, "the checkpoint holds no average of %d weight(s): their averages start from the restored weights%n",
                  restored.averagesStarted());
            }
            out.printf(Locale.ROOT, "resumed %s from %s at step %d%n", model.name(), Checkpoint.file(dir), step);
          } else {
            scope.variables().initialize(session, options.seed());
            for (dev.tessera.api.io.Parameters p : tg.pretrained()) {
              int loaded = scope.variables().loadPresent(session, p);
              out.printf(Locale.ROOT, "loaded %d pretrained tensors from %s%n", loaded, p.source());
            }
            step = 0;
            if (writes) {
              Files.createDirectories(dir);
            }
          }
          position.lastSaved = step;
          if (step >= options.steps()) {
            // Rewrite the weights files (e.g. in a newer format) from the checkpoint; nothing trains.
            if (writes) {
              Checkpoint.save(dir, session, scope.variables(), savedConfig, model.name(), step, options.seed(), leftOut, tg.exported());
            }
            out.printf(Locale.ROOT, "already at step %d of %d: nothing to train; weights rewritten from the checkpoint%n", step, options.steps());
            return new TrainResult(step, step, Double.NaN, Map.of(), 0);
          }
          fillWorkerData(stepGraph, session, images);
          long firstStep = step;
          double lastLoss = Double.NaN;
          Map<String, Double> lastMetrics = new LinkedHashMap<>();
          for (String m : metricNames) {
            lastMetrics.put(m, Double.NaN);
          }
          for (TrainingGraph.Phase phase : tg.phases()) {
            lastMetrics.put(phase.name() + "_loss", Double.NaN); // NaN in the log until the phase starts
            phase.metrics().keySet().forEach(m -> lastMetrics.put(phase.name() + "_" + m, Double.NaN));
          }
          long start = System.nanoTime();
          Path log = dir.resolve("train-log.csv");
          if (!writes) {
            // another task writes the log
          } else if (!Files.exists(log)) {
            List<String> columns = new ArrayList<>(List.of("step", "loss"));
            columns.addAll(lastMetrics.keySet());
            columns.add("seconds");
            Files.writeString(log, String.join(",", columns) + "\n", StandardCharsets.UTF_8);
          } else if (options.resume()) {
            try {
              truncateLog(log, step);
            } catch (IOException e) {
              throw writeFailed("could not rewrite " + log + " (" + e.getMessage() + ")", dir, step, options);
            }
          }
          long traceStep = traceStep(System.getenv("TESSERA_TRACE_STEP"));
          try (ProgressReporter progress = new ProgressReporter(model.name(), firstStep, options.steps(), options.logEvery(), out)) {
            while (step < options.steps()) {
              long current = step + 1;
              position.current = current;
              StepBatch batch = batch(data, images, options.seed(), current, batchSize, textLength, !dataOnTasks);
              try (StepFeeds feeds = layout.feed(stepGraph, batch, options.seed(), current);
                  TFloat32 lrNow = TFloat32.scalarOf((float) scheduledRate(lr, options.schedule(), current, options.steps()))) {
                // A runner fed with this step's batch, captions and random seed: the main step, each phase and the hook use one.
                java.util.function.Supplier<Session.Runner> fed = () -> feeds.feed(session.runner());
                Session.Runner runner = fed.get().feed(adam.learningRate(), lrNow).addTarget(adam.update());
                for (Op u : tg.updates()) {
                  runner.addTarget(u);
                }
                stepGraph.batchUpdates().forEach(runner::addTarget);
                for (Op a : tg.averages()) {
                  runner.addTarget(a); // the first replica's: on a cluster too, once per step
                }
                for (Operand<TFloat32> f : fetches) {
                  runner.fetch(f);
                }
                boolean traced = current == traceStep;
                long runStart = System.nanoTime();
                if (traced) {
                  runner.setOptions(org.tensorflow.proto.RunOptions.newBuilder()
                      .setTraceLevel(org.tensorflow.proto.RunOptions.TraceLevel.FULL_TRACE).build());
                }
                try (Result r = traced ? runner.runAndFetchMetadata() : runner.run()) {
                  if (traced && r.getMetadata().isPresent()) {
                    Path traceFile = dir.resolve("trace-step-" + current + (task > 0 ? "-task" + task : "") + ".json");
                    StepTrace.write(r.getMetadata().get(), (System.nanoTime() - runStart) / 1000, traceFile).forEach(out::println);
                    out.println("  -> " + traceFile);
                  }
                  lastLoss = Tensors.toScalar(r.get(0));
                  for (int i = 0; i < metricNames.size(); i++) {
                    lastMetrics.put(metricNames.get(i), (double) Tensors.toScalar(r.get(fetchIndex[i])));
                  }
                }
                String kept = kept(dir, position.lastSaved, options.resume());
                if (!Double.isFinite(lastLoss)) {
                  throw new TrainingDivergedException("loss " + DivergenceDiagnosis.describe(fetches.get(0).op().name(), lastLoss, current,
                      lastMetrics, session, scope.variables()) + "; training stopped; " + kept + ". Try a lower --lr or --clip-norm.", current);
                }
                for (StepGraph.PhaseStep ps : stepGraph.phases()) {
                  TrainingGraph.Phase phase = ps.phase();
                  if (current <= phase.startStep()) {
                    continue;
                  }
                  AdamOptimizer phaseAdam = ps.optimizer();
                  Session.Runner pr = fed.get().feed(phaseAdam.learningRate(), lrNow).addTarget(phaseAdam.update()).fetch(ps.loss());
                  List<String> names = new ArrayList<>(ps.metrics().keySet());
                  names.forEach(m -> pr.fetch(ps.metrics().get(m)));
                  try (Result r = pr.run()) {
                    double phaseLoss = Tensors.toScalar(r.get(0));
                    if (!Double.isFinite(phaseLoss)) {
                      throw new TrainingDivergedException(phase.name() + " loss " + DivergenceDiagnosis.describe(ps.loss().op().name(),
                          phaseLoss, current, Map.of(), session, scope.variables()) + "; training stopped; " + kept
                          + ". Try a lower --lr or --clip-norm.", current);
                    }
                    lastMetrics.put(phase.name() + "_loss", phaseLoss);
                    for (int i = 0; i < names.size(); i++) {
                      lastMetrics.put(phase.name() + "_" + names.get(i), (double) Tensors.toScalar(r.get(i + 1)));
                    }
                  }
                }
                if (tg.hook() != null) {
                  StepHook.Context ctx = new StepHook.Context(current, session, scope.variables(), fed,
                      new SplittableRandom(options.seed() * 31 + current), stepGraph.hookRows());
                  tg.hook().afterStep(ctx);
                }
              }
              step = current;
              progress.update(step, lastLoss, shownMetrics(lastMetrics, tg.phases(), step));
              if (writes && options.logEvery() > 0 && (step % options.logEvery() == 0 || step == options.steps())) {
                try {
                  appendLog(log, step, lastLoss, lastMetrics, (System.nanoTime() - start) / 1e9);
                } catch (IOException e) {
                  throw writeFailed("could not append step " + step + " to " + log + " (" + e.getMessage() + ")", dir, position.lastSaved, options);
                }
              }
              if (writes && (step % options.checkpointEvery() == 0 || step == options.steps())) {
                // Wall-clock training time over all runs of this folder, for model cards and compare.
                double trained = savedConfig.getDouble(TRAINING_SECONDS, 0) + (System.nanoTime() - start) / 1e9;
                try {
                  Checkpoint.save(dir, session, scope.variables(), savedConfig.with(TRAINING_SECONDS, Math.round(trained * 10) / 10.0),
                      model.name(), step, options.seed(), leftOut, tg.exported());
                } catch (TesseraException e) {
                  throw writeFailed("could not save the checkpoint of step " + step + " (" + e.getMessage() + ")", dir, position.lastSaved, options);
                }
                position.lastSaved = step;
              }
            }
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          return new TrainResult(firstStep, step, lastLoss, lastMetrics, seconds);
        } catch (TensorFlowException e) {
          // On a cluster: a lost worker; the checkpoint files were written whole or not at all.
          abandoned[0] = layout.abandon(graph, session);
          throw layout.failure(e, position.current, kept(dir, position.lastSaved, options.resume()));
        }
      } finally {
        if (!abandoned[0]) {
          session.close();
        }
      }
    } catch (IOException e) {
      throw new TesseraException("training stopped: cannot write to " + dir + ": " + e, e);
    } finally {
      if (!abandoned[0]) {
        graph.close();
      }
    }
  }

  /** Where a run is, for the message of a failed step. */
  private static final class Position {
    long lastSaved; // the step of the last checkpoint written (or restored)
    long current; // the step being run
  }

  private static String kept(Path dir, long lastSaved, boolean resumed) {
    return lastSaved > 0 || resumed
        ? "the last good checkpoint (step " + lastSaved + ") is kept in " + Checkpoint.file(dir)
        : "no checkpoint had been written yet";
  }

  /**
   * Gives every task that holds the data set (a cluster's workers: {@link WorkerData}) its images:
   * each reads the data set's IDX file from its own disk where there is one ({@link
   * #withImagesFile}) and its checksum must match the client's images; else, or with {@code
   * TESSERA_CLUSTER_DATA=upload}, the client copies them. Says which and how long it took.
   */
  private void fillWorkerData(StepGraph graph, Session session, ImageBatch images) {
    List<WorkerData> holders = graph.replicas().stream().map(Replica::data).filter(java.util.Objects::nonNull).toList();
    if (holders.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    boolean read = imagesFile != null && !"upload".equals(System.getenv("TESSERA_CLUSTER_DATA")) && holders.get(0).readable();
    if (read) {
      String path = imagesFile.toAbsolutePath().toString();
      boolean gzip = gzipped(imagesFile);
      long expected = WorkerData.checksum(images);
      long[] got;
      try {
        got = WorkerData.readAll(session, holders, path, gzip); // every task at once
      } catch (RuntimeException all) {
        got = new long[holders.size()];
        for (int t = 0; t < holders.size(); t++) { // again one by one, to name the task that cannot
          try {
            got[t] = holders.get(t).read(session, path, gzip);
          } catch (RuntimeException e) { // TensorFlow's: NotFound, InvalidArgument (a short file), ...
            throw new TesseraException("worker task " + t + " cannot read the data set from its own disk at " + path + " ("
                + firstLine(e.getMessage()) + "): put the file there, or set TESSERA_CLUSTER_DATA=upload to copy the client's images", e);
          }
        }
      }
      for (int t = 0; t < holders.size(); t++) {
        if (got[t] != expected) {
          throw new TesseraException("worker task " + t + "'s " + path + " holds other images than the client's (checksum " + got[t] + " against "
              + expected + "): put the same file on every worker, or set TESSERA_CLUSTER_DATA=upload to copy the client's images");
        }
      }
      out.printf(Locale.ROOT, "data set (%d images) read by each of %d workers from its own %s in %.1f s (checksums match the client's)%n",
          images.count(), holders.size(), path, (System.nanoTime() - start) / 1e9);
      return;
    }
    for (WorkerData d : holders) {
      d.upload(session, images);
    }
    out.printf(Locale.ROOT, "data set (%d images, %.0f MB) copied to each of %d workers in %.1f s%n", images.count(),
        images.data().length * 4.0 / (1 << 20), holders.size(), (System.nanoTime() - start) / 1e9);
  }

  private static boolean gzipped(Path file) {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    } catch (java.io.IOException e) {
      throw new TesseraException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String firstLine(String message) {
    String m = message == null ? "" : message.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /**
   * The global batch of step {@code step}: rows, images, labels and captions depend on (seed, step) only. Without
   * {@code withImages} (the tasks hold the data set and gather their rows) its images are null.
   */
  private StepBatch batch(Dataset data, ImageBatch images, long seed, long step, int batchSize, int textLength, boolean withImages) {
    int[] rows = batchRows(seed, step, batchSize, images.count());
    int[] tokens = textLength > 0 ? captionTokens(data, rows, textLength, new SplittableRandom(seed * 7919L + step)) : null;
    return new StepBatch(rows.length, rows, new long[] {images.height(), images.width(), images.channels()}, withImages ? gather(images, rows) : null,
        labels(data, rows), tokens, textLength);
  }

  /** Tokenized captions the trainer may draw: 20,000 draws over random examples. */
  private List<TokenIds> sampleCaptions(Dataset data, long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    List<TokenIds> out = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      out.add(tokenizer.encode(captioner.caption(data, random.nextInt(data.size()), random)));
    }
    return out;
  }

  /** One caption per row, tokenized, cut to {@code length} ids keeping the end token, padded. */
  private int[] captionTokens(Dataset data, int[] rows, int length, SplittableRandom random) {
    int[] out = new int[rows.length * length];
    for (int i = 0; i < rows.length; i++) {
      TokenIds ids = tokenizer.encode(captioner.caption(data, rows[i], random));
      if (ids.length() > length) {
        ids = ids.truncateKeepingLast(length);
      }
      int[] padded = ids.padTo(Math.max(length, ids.size()), tokenizer.padId()).ids();
      System.arraycopy(padded, 0, out, i * length, length);
    }
    return out;
  }

  /** An Adam beta from the model's config, in [0, 1). */
  static double adamBeta(ModelConfig config, String key, double fallback) {
    double b = config.getDouble(key, fallback);
    if (!(b >= 0 && b < 1)) {
      throw new TesseraException(config.source() + ": '" + key + "' must be in [0, 1), got " + b);
    }
    return b;
  }

  static void checkImageSize(ModelConfig config, ImageBatch images) {
    int size = config.getInt("image_size", images.height());
    int channels = config.getInt("channels", images.channels());
    if (images.height() != size || images.width() != size || images.channels() != channels) {
      throw new TesseraException(String.format(Locale.ROOT,
          "the data set has %dx%dx%d images but the model expects %dx%dx%d (image_size, channels in its config)",
          images.height(), images.width(), images.channels(), size, size, channels));
    }
  }

  /** The rows of step {@code step}: a function of (seed, step) only, so resuming is exact. */
  static int[] batchRows(long seed, long step, int batchSize, int count) {
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + step);
    int[] rows = new int[batchSize];
    for (int i = 0; i < batchSize; i++) {
      rows[i] = r.nextInt(count);
    }
    return rows;
  }

  static double scheduledRate(double peak, String schedule, long step, long total) {
    return switch (schedule == null ? "constant" : schedule) {
      case "constant" -> peak;
      case "cosine" -> peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, (double) step / total))));
      default -> throw new TesseraException("unknown learning-rate schedule '" + schedule + "' (constant, cosine)");
    };
  }

  private static float[] gather(ImageBatch images, int[] rows) {
    int per = images.height() * images.width() * images.channels();
    float[] out = new float[rows.length * per];
    float[] src = images.data();
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(src, rows[i] * per, out, i * per, per);
    }
    return out;
  }

  private static int[] labels(Dataset data, int[] rows) {
    int[] out = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = data.hasLabels() ? data.labels()[rows[i]] : -1;
    }
    return out;
  }

  /** A write during training failed (disk full, ...): say what, and which checkpoint is intact. */
  private static TesseraException writeFailed(String what, Path dir, long lastSaved, TrainOptions options) {
    return new TesseraException(what + "; training stopped; " + kept(dir, lastSaved, options.resume())
        + ". Free some space and run again with --resume.");
  }

  /** Drops log rows after the checkpoint a run resumes from, so no step is logged twice. */
  static void truncateLog(Path log, long lastStep) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return;
    }
    // A run killed mid-append leaves a short last row: rows without the header's column count go too.
    int columns = lines.get(0).split(",", -1).length;
    List<String> kept = new ArrayList<>(List.of(lines.get(0)));
    for (String line : lines.subList(1, lines.size())) {
      int comma = line.indexOf(',');
      String first = comma < 0 ? line : line.substring(0, comma);
      boolean whole = line.split(",", -1).length == columns && !first.isEmpty() && first.chars().allMatch(Character::isDigit);
      if (whole && Long.parseLong(first) <= lastStep) {
        kept.add(line);
      }
    }
    Path temp = log.resolveSibling(log.getFileName() + ".tmp");
    try {
      Files.write(temp, kept, StandardCharsets.UTF_8);
      Files.move(temp, log, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void appendLog(Path log, long step, double loss, Map<String, Double> metrics, double seconds) throws IOException {
    StringBuilder sb = new StringBuilder().append(step).append(',').append(loss);
    for (double v : metrics.values()) {
      sb.append(',').append(v);
    }
    sb.append(',').append(String.format(Locale.ROOT, "%.1f", seconds)).append('\n');
    Files.writeString(log, sb.toString(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  /**
   * The metrics the progress line shows: a phase that has not started yet (a discriminator before
   * {@code disc_start}) is shown as "disc from step N" instead of its NaN placeholders, which stay
   * in train-log.csv.
   */
  static Map<String, Object> shownMetrics(Map<String, Double> metrics, List<TrainingGraph.Phase> phases, long step) {
    Map<String, Object> shown = new LinkedHashMap<>(metrics);
    for (TrainingGraph.Phase phase : phases) {
      if (step <= phase.startStep()) {
        shown.keySet().removeIf(k -> k.startsWith(phase.name() + "_"));
        shown.put(phase.name(), "from step " + (phase.startStep() + 1));
      }
    }
    return shown;
  }

  /** A progress bar on a terminal; plain log lines otherwise (CI, nohup, log files). */
  static final class ProgressReporter implements AutoCloseable {
    private final ProgressBar bar;
    private final PrintWriter out;
    private final long logEvery;
    private final long first;
    private final long total;
    private final long start = System.nanoTime();

    ProgressReporter(String task, long first, long total, long logEvery, PrintWriter out) {
      this.out = out;
      this.logEvery = logEvery;
      this.first = first;
      this.total = total;
      if (System.console() != null) {
        this.bar = new ProgressBarBuilder().setTaskName("train " + task).setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).startsFrom(first, java.time.Duration.ZERO).build();
      } else {
        this.bar = null;
      }
    }

    void update(long step, double loss, Map<String, ?> metrics) {
      double rate = (step - first) / Math.max(1e-9, (System.nanoTime() - start) / 1e9);
      StringBuilder msg = new StringBuilder(String.format(Locale.ROOT, "loss %.4f", loss));
      metrics.forEach((k, v) -> msg.append(v instanceof Double d ? String.format(Locale.ROOT, " %s %.4g", k, d) : " " + k + " " + v));
      msg.append(String.format(Locale.ROOT, " | %.2f steps/s", rate));
      if (bar != null) {
        bar.stepTo(step);
        bar.setExtraMessage(msg.toString());
      } else if (logEvery > 0 && (step % logEvery == 0 || step == total)) {
        out.printf(Locale.ROOT, "step %d/%d %s%n", step, total, msg);
        out.flush();
      }
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }
}
