package dev.tessera.runtime.cli;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.OutputFolder;
import dev.tessera.api.options.NumberOption;
import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.data.Captioner;
import dev.tessera.runtime.data.DataSources;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.embed.KnownCaptionsCalibration;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import dev.tessera.runtime.train.Checkpoint;
import dev.tessera.runtime.train.TrainOptions;
import dev.tessera.runtime.train.TrainResult;
import dev.tessera.runtime.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code tessera train <model>}. */
@Command(name = "train",
    footer = {"", "Examples:",
        "  ./tessera train vqvae --steps 2000 --output-dir runs/my-vqvae",
        "  ./tessera train vqvae --steps 4000 --output-dir runs/my-vqvae --resume",
        "  ./tessera train clip --dataset fashion-mnist --steps 8000 --set text_length=32 --output-dir runs/my-clip"}, mixinStandardHelpOptions = true,
    description = "Train a model from a plugin. Checkpoints go to --output-dir; --resume continues one.")
final class TrainCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "Model name (see ./tessera plugins); or --model.")
  String positionalModel;

  @Option(names = "--model", paramLabel = "MODEL", description = "Model name, as the positional MODEL.")
  String modelOption;

  /** The model to train, from MODEL or --model. */
  String model;

  @Option(names = "--dataset", defaultValue = "fashion-mnist",
      description = "fashion-mnist (from $TESSERA_FASHION_MNIST or /usr/share/datasets/fashion-mnist), twemoji (./tessera setup twemoji; label i is emoji i), twemoji-subcategories (the same images, labelled with their subcategory), or a folder of IDX files or PNGs. Default: ${DEFAULT-VALUE}.")
  String dataset;

  @Option(names = "--steps", defaultValue = "1000", description = "Total steps. Default: ${DEFAULT-VALUE}.")
  long steps;

  @Option(names = {"--output-dir", "--out"}, defaultValue = "runs/train",
      description = "The run's folder: checkpoints, weights, log (--out: the older name, deprecated). Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--resume", description = "Continue from the checkpoint in --output-dir, optimizer state included.")
  boolean resume;

  @picocli.CommandLine.Mixin OverwriteOption overwrite = new OverwriteOption();

  @Option(names = "--batch-size", description = "Images per step (default: the model's).")
  Integer batchSize;

  @Option(names = "--lr", description = "Peak learning rate (default: the model's).")
  Double lr;

  @Option(names = "--schedule", defaultValue = "constant", description = "constant or cosine. Default: ${DEFAULT-VALUE}.")
  String schedule;

  @Option(names = "--seed", defaultValue = "0", description = "Seed for initialisation and batches. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--checkpoint-every", defaultValue = "500", description = "Steps between checkpoints. Default: ${DEFAULT-VALUE}.")
  long checkpointEvery;

  @Option(names = "--log-every", defaultValue = "50", description = "Steps between log lines. Default: ${DEFAULT-VALUE}.")
  long logEvery;

  @Option(names = "--clip-norm", defaultValue = "0", description = "Clip gradients to this global norm (0: off).")
  double clipNorm;

  @Option(names = "--limit", defaultValue = "0", description = "Use only the first N training examples (0: all). Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a model config value, e.g. --set hidden_channels=64.")
  Map<String, String> overrides;

  @Option(names = "--config", description = "A config.json whose values override the model's defaults.")
  Path configFile;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (soft placement). Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(names = "--cluster", paramLabel = "FILE",
      description = "Train data-parallel on the workers of this cluster file ({\"worker\": [\"host:port\", ...]}, each started with ./tessera worker); see docs/distributed.md.")
  Path clusterFile;

  @Option(names = "--worker-timeout", defaultValue = "30", paramLabel = "SECONDS",
      description = "With --cluster: how long to wait for workers to accept connections, and for a step's answer, before stopping with an error. Default: ${DEFAULT-VALUE}.")
  long workerTimeout;

  @Option(names = "--exchange", defaultValue = "hub", paramLabel = "hub|all-reduce",
      description = "With --cluster: how the workers' gradients meet. hub: every variable and the optimizer on task 0; all-reduce: a copy on every"
          + " worker, gradients averaged by TensorFlow's collective all-reduce (no task carries more than the others). Default: ${DEFAULT-VALUE}.")
  String exchange;

  @Option(names = "--task", paramLabel = "N",
      description = "With --cluster: train as task N of the cluster, each task running this same command (between-graph replication): every task"
          + " is its own TensorFlow server (no ./tessera worker) and client, reads its own data, gradients are all-reduced; task 0 writes"
          + " --output-dir, which --resume reads on every task. See docs/distributed.md.")
  Integer task;

  static final NumberOption STEPS = NumberOption.integer("steps", 1, 1_000_000_000, "total training steps");
  static final NumberOption BATCH_SIZE = NumberOption.integer("batch_size", 1, 65_536, "images per step");
  static final NumberOption LR = NumberOption.positive("lr", 10, "peak learning rate");
  static final NumberOption CHECKPOINT_EVERY = NumberOption.integer("checkpoint_every", 1, 1_000_000_000, "steps between checkpoints");
  static final NumberOption LOG_EVERY = NumberOption.integer("log_every", 1, 1_000_000_000, "steps between log lines");
  static final NumberOption CLIP_NORM = NumberOption.real("clip_norm", 0, 1e6, "global gradient norm; 0: off");
  static final NumberOption WORKER_TIMEOUT = NumberOption.integer("worker_timeout", 1, 86_400, "seconds");

  /** Keys the runtime reads from every model's config to load its data, whether or not the model's defaults list them. */
  static final List<String> DATA_KEYS = List.of("image_size", "channels");

  @Override
  public Integer call() {
    model = Flags.subject(spec.commandLine(), positionalModel, modelOption, "--model", "MODEL");
    TesseraCli.warnIfDeprecatedNameUsed(spec, "--out", "--output-dir (the same folder)");
    STEPS.checkLong(steps);
    if (batchSize != null) {
      BATCH_SIZE.checkInt(batchSize);
    }
    if (lr != null) {
      LR.check(lr);
    }
    CHECKPOINT_EVERY.checkLong(checkpointEvery);
    LOG_EVERY.checkLong(logEvery);
    CLIP_NORM.check(clipNorm);
    Trainer.checkExchange(exchange);
    if (clusterFile == null && spec.commandLine().getParseResult().hasMatchedOption("--exchange")) {
      throw new TesseraException("--exchange " + exchange + " is for a --cluster run: give --cluster FILE, or leave --exchange out");
    }
    Flags.LIMIT.checkInt(limit);
    WORKER_TIMEOUT.checkLong(workerTimeout);
    if (task != null) {
      if (clusterFile == null) {
        throw new TesseraException("--task " + task + " is for a --cluster run: give --cluster FILE, or leave --task out");
      }
      if (exchange.equals("hub") && spec.commandLine().getParseResult().hasMatchedOption("--exchange")) {
        throw new TesseraException("--task trains by all-reduce between the tasks (there is no hub between graphs): leave --exchange out");
      }
    }
    boolean writes = task == null || task == 0;
    OutputFolder output = null;
    if (resume || !writes) {
      if (resume && overwrite.overwrite) {
        throw new TesseraException("--resume continues the run in --output-dir, --overwrite starts it again: give one of them");
      }
    } else {
      if (!overwrite.overwrite && Checkpoint.exists(out)) {
        throw new TesseraException(out + " already holds a checkpoint: pass --resume to continue it, --overwrite to start again, "
            + "or choose another --output-dir");
      }
      output = overwrite.check(out, "--output-dir", Checkpoint.FILES);
    }
    ClusterSpec cluster = clusterFile == null ? null : ClusterSpec.read(clusterFile);
    if (cluster != null && task != null) {
      cluster.checkTask(task);
    }
    if (cluster != null && !device.equals("cpu")) {
      throw new TesseraException("--device does not apply with --cluster: each worker runs its replica on its own devices");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (PluginRuntime plugins = root.loadPlugins()) {
      TrainableModel m = root.components(plugins).model(model);
      ModelConfig config = configFile != null ? ModelConfig.read(configFile) : ModelConfig.empty();
      if (overrides != null) {
        ModelConfig defaults = m.defaultConfig();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
          if (!defaults.has(e.getKey()) && !DATA_KEYS.contains(e.getKey())) {
            List<String> known = new ArrayList<>(DATA_KEYS);
            defaults.keys().forEachRemaining(known::add);
            throw new TesseraException("--set " + e.getKey() + ": model '" + model + "' has no config key '" + e.getKey() + "' (known: "
                + String.join(", ", new java.util.TreeSet<>(known)) + ")");
          }
          config = config.with(e.getKey(), parseValue(e.getValue()));
        }
      }
      ModelConfig merged = m.defaultConfig().merge(config);
      DataSources.Source source = DataSources.open(dataset, true,
          merged.getPositiveInt("image_size", 28), merged.getPositiveInt("channels", 1));
      Dataset data = source.data().upTo(limit);
      out.printf(Locale.ROOT, "training %s on %s (%d images) for %d steps -> %s%n", model, data.name(), data.size(), steps, this.out);
      TrainOptions options = new TrainOptions(steps, batchSize == null ? 0 : batchSize, lr == null ? 0 : lr, schedule, seed, checkpointEvery, logEvery, this.out, resume, clipNorm, device);
      Trainer trainer = new Trainer(out).withComponents(root.components(plugins));
      if (cluster != null && task != null) {
        out.printf(Locale.ROOT, "task %d of %d of %s (%s), between-graph: every task runs this command; gradients all-reduced between the tasks;"
            + " %s%n", task, cluster.size(), clusterFile, cluster.address(task), writes ? "this task writes " + this.out : "task 0 writes the checkpoints");
        trainer.onCluster(cluster, Duration.ofSeconds(workerTimeout)).asTask(task);
      } else if (cluster != null) {
        out.printf(Locale.ROOT, "on %d workers of %s: %s; gradients exchanged %s%n", cluster.size(), clusterFile, String.join(", ", cluster.addresses()),
            exchange.equals("hub") ? "through task 0 (the hub)" : "by all-reduce between the workers' copies");
        trainer.onCluster(cluster, Duration.ofSeconds(workerTimeout)).exchange(exchange).withImagesFile(source.imagesFile());
      }
      String tokenizerName = m.tokenizer(merged);
      if (tokenizerName != null) {
        if (source.captions() == null) {
          throw new TesseraException("model '" + model + "' trains on captions, and " + data.name()
              + " has none (captioned data sets: fashion-mnist, twemoji, twemoji-subcategories)");
        }
        trainer.withText(root.components(plugins).tokenizer(tokenizerName), source.captions());
      }
      if (output != null) {
        output.prepare();
      }
      TrainResult r = trainer.train(m, config, data, options);
      if (!writes) {
        out.printf(Locale.ROOT, "done: steps %d..%d, loss %.5f %s, %.2f steps/s; task 0 wrote the weights%n",
            r.firstStep(), r.lastStep(), r.lastLoss(), r.lastMetrics(), r.stepsPerSecond());
        out.flush();
        return 0;
      }
      if (tokenizerName != null && merged.has("encoder") && merged.has("text_length")) {
        writeKnownCaptions(root.components(plugins), tokenizerName, source.captions(), out);
      }
      out.printf(Locale.ROOT, "done: steps %d..%d, loss %.5f %s, %.2f steps/s; weights in %s%n",
          r.firstStep(), r.lastStep(), r.lastLoss(), r.lastMetrics(), r.stepsPerSecond(), this.out.toAbsolutePath());
      out.flush();
      return 0;
    }
  }

  /**
   * A text encoder (a model whose config names an "encoder" and a "text_length": CLIP) keeps the
   * captions it was trained on and how near in-domain prompts come to them, so that pipelines built on
   * it warn about prompts far from all of them ({@link dev.tessera.api.pipeline.KnownCaptions}).
   */
  private void writeKnownCaptions(Components components, String tokenizerName,
      Captioner captions, PrintWriter out) {
    Path file = this.out.resolve("config.json");
    ModelWeights trained = ModelWeights.load(this.out);
    try (EmbeddingPipeline e = new EmbeddingPipeline(components, trained, 256, device)) {
      var result = KnownCaptionsCalibration.calibrate(e, components.tokenizer(tokenizerName),
          trained.config().getPositiveInt("text_length", 77), captions);
      if (result == null) {
        return; // the captioner gives no examples or probes
      }
      KnownCaptionsCalibration.apply(ModelConfig.read(file), result).write(file);
      out.printf(Locale.ROOT, "known captions: %d, in-domain prompts reach similarity %.4f or more (floor %.4f)%n", result.captions().size(),
          result.floor() + KnownCaptionsCalibration.MARGIN, result.floor());
    }
  }

  /** true/false, an int, a JSON-style decimal number (never NaN, Infinity or hex), else the string itself. */
  static Object parseValue(String v) {
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      // not an int
    }
    if (v.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
      double d = Double.parseDouble(v);
      if (!Double.isFinite(d)) {
        throw new TesseraException("--set: '" + v + "' is beyond the range of a number");
      }
      return d;
    }
    return v;
  }

}
