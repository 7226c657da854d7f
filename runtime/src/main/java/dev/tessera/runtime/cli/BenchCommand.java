package dev.tessera.runtime.cli;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.runtime.bench.BatchFeed;
import dev.tessera.runtime.bench.Benchmarks;
import dev.tessera.runtime.bench.GptDecodeWork;
import dev.tessera.runtime.bench.KvCacheBenchmark;
import dev.tessera.runtime.bench.Measurement;
import dev.tessera.runtime.bench.PeakMemory;
import dev.tessera.runtime.bench.WorkloadShapes;
import dev.tessera.api.graph.SessionFactory;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tessera bench}: the machine's matmul rate (the ceiling, measured at the start and the end;
 * the better is used) and the performance issue's workloads, each reported as ms per iteration,
 * achieved GFLOP/s from an analytic count, its ratio to that ceiling and its peak resident memory.
 */
@Command(name = "bench",
    footer = {"", "Examples:",
        "  ./tessera bench",
        "  ./tessera bench --workloads unet_train,unet_sample --iterations 8"}, mixinStandardHelpOptions = true,
    description = "Measure float32 matmul GFLOP/s (the ceiling) and the training, sampling and decoding workloads against it, in one run.")
final class BenchCommand implements Callable<Integer> {
  private static final java.util.List<String> WORKLOADS = java.util.List.of("model", "unet_train", "unet_sample", "gpt_decode", "conv_layers", "schedulers",
      "kv_cache", "pipeline_open");

  @ParentCommand TesseraCli root;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", defaultValue = "vqvae",
      description = "Trainable model whose training step the 'model' workload times, with its default config. Default: ${DEFAULT-VALUE} "
          + "(the documented vqvae_train).")
  String model;

  @Option(names = "--workloads", split = ",", defaultValue = "model,unet_train,unet_sample,gpt_decode",
      description = "Which workloads besides the matmul ceiling: model (the --model training step), unet_train, unet_sample, "
          + "gpt_decode (the gpt prior at the issue's shapes, with and without its key/value cache), "
          + "conv_layers (the U-Net's 3x3 convolutions alone, forward and gradients, one per level), "
          + "schedulers (the shipped clip-diffusion under DDIM 50 and DDPM 1000 steps, timed and scored; minutes), "
          + "kv_cache (the gpt prior's default config sampled with and without its cache), "
          + "pipeline_open (opening every pipeline with its defaults, with Tessera's graph naming and with TensorFlow Java's). Default: ${DEFAULT-VALUE}.")
  java.util.List<String> workloads;

  @Option(names = "--scheduler-images", defaultValue = "10",
      description = "schedulers: images per class prompt (ten prompts) per scheduler. Default: ${DEFAULT-VALUE}.")
  int schedulerImages;

  @Option(names = "--schedulers", split = ",", paramLabel = "NAME:STEPS", defaultValue = "ddim:50,ddpm:1000",
      description = "schedulers: the samplers and step counts to time and score, in one run. Default: ${DEFAULT-VALUE}.")
  java.util.List<String> schedulerRuns;

  @Option(names = "--diffusion-weights", description = "schedulers: a clip-diffusion weights folder (default: shipped).")
  java.nio.file.Path diffusionWeights;

  @Option(names = "--iterations", defaultValue = "20", description = "Timed iterations per step workload (median reported). Default: ${DEFAULT-VALUE}.")
  int iterations;

  @Option(names = "--sample-iterations", defaultValue = "10",
      description = "Timed whole sampling runs of unet_sample and gpt_decode (median reported). Default: ${DEFAULT-VALUE}.")
  int sampleIterations;

  @Option(names = "--warmup", defaultValue = "5", description = "Untimed iterations first (at most 2 for sampling runs). Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--matmul-size", defaultValue = "2048", description = "Side of the square matmul. Default: ${DEFAULT-VALUE}.")
  int matmulSize;

  @Option(names = "--batch-size", defaultValue = "32", description = "Batch of the 'model' training step. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--tiny", description = "Tiny U-Net and GPT shapes (for tests and smoke runs; not the documented workloads).")
  boolean tiny;

  @Option(names = "--profile", paramLabel = "DIR",
      description = "After timing, trace one more iteration of each workload (RunOptions FULL_TRACE) and write its ten most expensive "
          + "op types and nodes to DIR/<workload>.txt and .json.")
  java.nio.file.Path profile;

  @picocli.CommandLine.Mixin OverwriteOption overwrite = new OverwriteOption();

  /** The op profiles bench writes: DIR/&lt;workload&gt;.txt and .json. */
  static final java.util.List<String> PROFILE_FILES = java.util.List.of("*_{train,sample,cache,nocache}.{txt,json}");

  @Option(names = "--feed", defaultValue = "per-step",
      description = "How training batches reach the graph: per-step (copied from Java into a new tensor and fed every step, as "
          + "training does) or in-graph (constants: nothing fed). Default: ${DEFAULT-VALUE}.")
  String feed;

  private static String describe(ModelConfig c) {
    int s = c.getInt("image_size", 0);
    String base = s + "x" + s + "x" + c.getInt("channels", 0);
    if (c.has("hidden_channels")) {
      base += String.format(Locale.ROOT, ", hidden %d, residual %d x%d, K=%d D=%d", c.getInt("hidden_channels", 0),
          c.getInt("residual_channels", 0), c.getInt("residual_layers", 0), c.getInt("codebook_size", 0), c.getInt("embedding_dim", 0));
    }
    return base;
  }

  private BatchFeed.Mode feedMode() {
    return switch (feed) {
      case "per-step" -> BatchFeed.Mode.PER_STEP;
      case "in-graph" -> BatchFeed.Mode.IN_GRAPH;
      default -> throw new IllegalArgumentException("--feed must be per-step or in-graph, got '" + feed + "'");
    };
  }

  @Override
  public Integer call() {
    if (iterations < 1 || sampleIterations < 1 || warmup < 0 || matmulSize < 1 || batch < 1) {
      throw new IllegalArgumentException("--iterations, --sample-iterations, --matmul-size and --batch-size must be positive, --warmup >= 0");
    }
    for (String w : workloads) {
      if (!WORKLOADS.contains(w)) {
        throw new IllegalArgumentException("unknown workload '" + w + "' (" + String.join(", ", WORKLOADS) + ")");
      }
    }
    if (profile != null) {
      overwrite.check(profile, "--profile", PROFILE_FILES).prepare();
    }
    Benchmarks.Options steps = new Benchmarks.Options(warmup, iterations, profile, feedMode());
    Benchmarks.Options runs = new Benchmarks.Options(Math.min(2, warmup), sampleIterations, profile, feedMode());
    WorkloadShapes shapes = tiny ? WorkloadShapes.tiny() : WorkloadShapes.issue();
    java.io.PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "tessera bench: TensorFlow %s, %d cores, %s; median of %d steps after %d warm-up, of %d sampling runs after %d%n",
        org.tensorflow.TensorFlow.version(), Runtime.getRuntime().availableProcessors(), SessionFactory.describe(), iterations, warmup,
        sampleIterations, runs.warmup());
    out.println("cpu: " + dev.tessera.api.graph.CpuInfo.current().describe());
    // oneDNN's version is TensorFlow 2.18's (seen in ONEDNN_VERBOSE=1 output, which also names the ISA it dispatches to).
    out.println("tensorflow: " + org.tensorflow.TensorFlow.version() + " (oneDNN v3.5.0, ISA " + dev.tessera.api.graph.CpuInfo.current().onednnIsa()
        + "); native kernels: " + dev.tessera.api.graph.NativeOps.status()
        + (dev.tessera.api.graph.NativeOps.available() ? " (" + dev.tessera.api.graph.NativeOps.isa().describe() + ")" : "")
        + "; 3x3 convolutions: "
        + (dev.tessera.api.graph.NativeOps.conv3x3Preferred() ? "Tessera's kernel" : "TensorFlow's (oneDNN)") + " (TESSERA_NATIVE_CONV)");
    out.printf(Locale.ROOT, "batches fed: %s; peak memory: VmHWM of the process after a reset before each workload (resident now: %.0f MiB)%n",
        feed, PeakMemory.residentKiB() / 1024.0);
    out.flush();
    double flopsMm = Benchmarks.matmulFlops(matmulSize);
    PeakMemory.Window mmMemory = PeakMemory.start();
    Benchmarks.Timing mm1 = Benchmarks.matmul(matmulSize, steps);
    long mmPeak = mmMemory.peakKiB();
    long mmGrowth = mmMemory.growthKiB();
    out.printf(Locale.ROOT, "matmul %dx%d float32 (start): %8.2f ms  %7.1f GFLOP/s%n", matmulSize, matmulSize, mm1.medianMs(),
        flopsMm / mm1.medianMs() / 1e6);
    out.flush();

    java.util.List<Measurement> results = new java.util.ArrayList<>();
    if (workloads.contains("model")) {
      try (PluginRuntime plugins = root.loadPlugins()) {
        TrainableModel trainable = root.components(plugins).model(model);
        ModelConfig config = trainable.defaultConfig();
        long forward = trainable.forwardFlopsPerExample(config);
        String name = model + "_train";
        PeakMemory.Window memory = PeakMemory.start();
        Benchmarks.Timing step = Benchmarks.trainStep(trainable, config, batch, steps, name);
        results.add(new Measurement(name, String.format(Locale.ROOT, "batch %d, %s, Adam", batch, describe(config)), step.medianMs(),
            forward > 0 ? 3.0 * forward * batch : 0, memory.peakKiB(), memory.growthKiB(), step.outsideRunShare()));
        progress(out, results);
      }
    }
    int size = shapes.unetImageSize();
    if (workloads.contains("unet_train")) {
      long forward = dev.tessera.api.layers.UNet.flops(shapes.unet(), size);
      PeakMemory.Window memory = PeakMemory.start();
      Benchmarks.Timing step = Benchmarks.unetTrain(shapes.unet(), shapes.unetTrainBatch(), size, steps, "unet_train");
      results.add(new Measurement("unet_train", String.format(Locale.ROOT, "batch %dx1x%dx%d, %s, Adam", shapes.unetTrainBatch(), size, size,
          describe(shapes.unet())), step.medianMs(), 3.0 * forward * shapes.unetTrainBatch(), memory.peakKiB(), memory.growthKiB(),
          step.outsideRunShare()));
      progress(out, results);
    }
    if (workloads.contains("unet_sample")) {
      long forward = dev.tessera.api.layers.UNet.flops(shapes.unet(), size);
      int b = shapes.unetSampleBatch();
      PeakMemory.Window memory = PeakMemory.start();
      Benchmarks.Timing run = Benchmarks.unetSample(shapes.unet(), b, size, shapes.samplingSteps(), runs, "unet_sample");
      results.add(new Measurement("unet_sample", String.format(Locale.ROOT, "%d DDIM steps at batch %d, ms per run (%.2f ms per image)",
          shapes.samplingSteps(), b, run.medianMs() / b), run.medianMs(), (double) shapes.samplingSteps() * forward * b, memory.peakKiB(),
          memory.growthKiB(), run.outsideRunShare()));
      progress(out, results);
    }
    if (workloads.contains("gpt_decode")) {
      results.addAll(gptDecode(shapes, runs));
      progress(out, results);
    }

    if (workloads.contains("conv_layers")) {
      // The U-Net's 3x3 convolutions at each level, alone: forward plus input and filter gradients.
      int[] channels = shapes.unet().channels();
      for (int level = 0, s = size; level < channels.length; level++, s /= 2) {
        int c = channels[level];
        int b = shapes.unetTrainBatch();
        String name = String.format(Locale.ROOT, "conv_%dx%dx%d", s, s, c);
        PeakMemory.Window memory = PeakMemory.start();
        Benchmarks.Timing step = Benchmarks.convLayer(b, s, c, steps, name);
        results.add(new Measurement(name, String.format(Locale.ROOT, "3x3 conv %d -> %d channels at %dx%d, batch %d, NHWC, forward + input and "
            + "filter gradients", c, c, s, s, b), step.medianMs(), 3.0 * dev.tessera.api.layers.Conv2d.flops(s, s, 3, c, c) * b,
            memory.peakKiB(), memory.growthKiB(), step.outsideRunShare()));
        progress(out, results);
      }
    }
    if (workloads.contains("schedulers")) {
      schedulers(out);
    }
    if (workloads.contains("kv_cache")) {
      kvCache(out);
    }
    if (workloads.contains("pipeline_open")) {
      pipelineOpen(out);
    }

    mmMemory = PeakMemory.start();
    Benchmarks.Timing mm2 = Benchmarks.matmul(matmulSize, steps);
    mmPeak = Math.max(mmPeak, mmMemory.peakKiB());
    mmGrowth = Math.max(mmGrowth, mmMemory.growthKiB());
    out.printf(Locale.ROOT, "matmul %dx%d float32 (end):   %8.2f ms  %7.1f GFLOP/s%n",
        matmulSize, matmulSize, mm2.medianMs(), flopsMm / mm2.medianMs() / 1e6);
    double best = Math.min(mm1.medianMs(), mm2.medianMs());
    double ceiling = flopsMm / best / 1e6;
    out.printf(Locale.ROOT, "ceiling: %.1f GFLOP/s (the better of the two matmul runs)%n", ceiling);
    results.add(0, new Measurement("matmul", String.format(Locale.ROOT, "%dx%d float32, operands in graph variables", matmulSize, matmulSize),
        best, flopsMm, mmPeak, mmGrowth, Double.NaN));
    for (Measurement m : results) {
      out.printf(Locale.ROOT, "%s %s: %.2f ms%n", m.workload(), m.description(), m.ms());
      if (m.flops() > 0) {
        out.printf(Locale.ROOT, "  analytic %.2f GFLOP, achieved %.1f GFLOP/s = %.3f of the matmul ceiling%n", m.flops() / 1e9,
            m.gflopsPerSecond(), m.gflopsPerSecond() / ceiling);
      } else {
        out.println("  (the model gives no FLOP count: no GFLOP/s ratio)");
      }
    }
    gptRatio(out, results);
    out.println();
    out.print(Measurement.table(results, ceiling));
    out.println("(peak: VmHWM during the workload, including what was resident before it; grow: peak minus resident at its start;");
    out.println(" outside: median share of a step or run spent outside Session.Runner.run: feeding, fetching, Java work)");
    Measurement.belowTarget(results, ceiling).forEach(out::println);
    if (profile != null) {
      out.println(profileSummary(profile, results));
    }
    out.flush();
    return 0;
  }

  /** Which workloads got an op profile, and which did not (those whose runs the benchmark cannot trace). */
  static String profileSummary(java.nio.file.Path dir, java.util.List<Measurement> results) {
    java.util.List<String> traced = new java.util.ArrayList<>();
    java.util.List<String> untraced = new java.util.ArrayList<>();
    for (Measurement m : results) {
      if (m.workload().equals("matmul")) {
        continue;
      }
      (java.nio.file.Files.exists(dir.resolve(m.workload() + ".txt")) ? traced : untraced).add(m.workload());
    }
    String done = traced.isEmpty() ? "no op profiles written" : "op profiles of " + String.join(", ", traced) + " written to " + dir.toAbsolutePath();
    return untraced.isEmpty() ? done
        : done + " (not traced: " + String.join(", ", untraced) + ")";
  }

  private static void progress(java.io.PrintWriter out, java.util.List<Measurement> results) {
    Measurement m = results.get(results.size() - 1);
    out.printf(Locale.ROOT, "  ... %s done: %.2f ms%n", m.workload(), m.ms());
    out.flush();
  }

  private static String describe(dev.tessera.api.layers.UNet.Config u) {
    return String.format(Locale.ROOT, "channels %s, %d+%d blocks per level, GroupNorm(%d), time embedding %d, attention in the middle",
        java.util.Arrays.toString(u.channels()), u.blocksPerLevel(), u.upBlocksPerLevel(), u.groups(), 4 * u.embedDim());
  }

  /** The gpt prior at the workload shapes (nested CLIP and autoencoder configs from their shipped weights), with and without its cache. */
  private java.util.List<Measurement> gptDecode(WorkloadShapes shapes, Benchmarks.Options runs) {
    try (PluginRuntime plugins = root.loadPlugins()) {
      dev.tessera.runtime.plugin.Components components = root.components(plugins);
      TrainableModel gpt = components.model("gpt");
      ModelConfig config = gpt.resolveComponents(shapes.gpt(gpt.defaultConfig()), components);
      GptDecodeWork work = GptDecodeWork.of(config);
      KvCacheBenchmark.Result r = KvCacheBenchmark.run(components, config, shapes.gptBatch(), runs.warmup(), runs.iterations(), runs.profileDir());
      String shape = String.format(Locale.ROOT, "%d layers, width %d, %d heads, vocabulary %d, batch %d, %d codes after a %d-position prefix; "
          + "ms per batch, same codes both ways: %s", work.layers(), work.dim(), config.getInt("heads", 0), work.vocabulary(), r.batch(),
          r.codes(), r.prefix(), r.sameCodes());
      return java.util.List.of(
          new Measurement("gpt_decode_cache", shape, r.cachedMs(), (double) work.cachedFlops() * r.batch(), r.cachedPeakKiB(), r.cachedGrowthKiB(),
              Double.NaN),
          new Measurement("gpt_decode_nocache", shape, r.uncachedMs(), (double) work.uncachedFlops(gpt.forwardFlopsPerExample(config)) * r.batch(),
              r.uncachedPeakKiB(), r.uncachedGrowthKiB(), Double.NaN));
    }
  }

  private static void gptRatio(java.io.PrintWriter out, java.util.List<Measurement> results) {
    Measurement cached = null;
    Measurement uncached = null;
    for (Measurement m : results) {
      if (m.workload().equals("gpt_decode_cache")) {
        cached = m;
      } else if (m.workload().equals("gpt_decode_nocache")) {
        uncached = m;
      }
    }
    if (cached != null && uncached != null) {
      out.printf(Locale.ROOT, "gpt_decode: the cache is %.1fx faster%n", uncached.ms() / cached.ms());
    }
  }

  @Option(names = "--kv-batch", defaultValue = "16", description = "kv_cache: samples per sampling call. Default: ${DEFAULT-VALUE}.")
  int kvBatch;

  /**
   * Seconds to open each pipeline the plugins provide (weights, graph, session; with its default
   * weights and options), alternating Tessera's graph naming ({@code IndexedScope}) and TensorFlow
   * Java's, after one untimed open of each: the median of each and their ratio, in one run. A
   * pipeline that cannot open with its defaults is listed as skipped.
   */
  private void pipelineOpen(java.io.PrintWriter out) {
    int runs = Math.max(3, iterations / 4);
    try (PluginRuntime plugins = root.loadPlugins()) {
      dev.tessera.runtime.plugin.Components components = root.components(plugins);
      out.printf(Locale.ROOT, "pipeline_open, median of %d opens each (after one untimed open):%n", runs);
      for (String name : new java.util.TreeSet<>(components.pipelines().all().keySet())) {
        dev.tessera.runtime.pipeline.PipelineSpec spec = dev.tessera.runtime.pipeline.PipelineSpec.of(name);
        double[][] seconds = new double[2][runs];
        try {
          for (int i = -1; i < runs; i++) {
            for (int mode = 0; mode < 2; mode++) {
              dev.tessera.api.graph.GraphScope.useTensorFlowNaming(mode == 1);
              long t0 = System.nanoTime();
              try (dev.tessera.api.pipeline.GenerationPipeline p = dev.tessera.runtime.pipeline.Pipelines.open(components, spec)) {
                if (i >= 0) {
                  seconds[mode][i] = (System.nanoTime() - t0) / 1e9;
                }
              }
            }
          }
        } catch (RuntimeException e) {
          out.printf(Locale.ROOT, "  %-18s skipped: %s%n", name, e.getMessage());
          continue;
        } finally {
          dev.tessera.api.graph.GraphScope.useTensorFlowNaming(false);
        }
        double indexed = median(seconds[0]);
        double tensorFlow = median(seconds[1]);
        out.printf(Locale.ROOT, "  %-18s %.3f s with Tessera's naming, %.3f s with TensorFlow Java's: %.2fx%n", name, indexed, tensorFlow,
            tensorFlow / indexed);
      }
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The gpt prior's default config (nested CLIP and VQ-VAE configs from their shipped weights), sampled with and without the cache. */
  private void kvCache(java.io.PrintWriter out) {
    try (PluginRuntime plugins = root.loadPlugins()) {
      dev.tessera.runtime.plugin.Components components = root.components(plugins);
      TrainableModel gpt = components.model("gpt");
      ModelConfig config = gpt.resolveComponents(gpt.defaultConfig(), components);
      int runs = Math.max(3, iterations / 4);
      dev.tessera.runtime.bench.KvCacheBenchmark.Result r =
          dev.tessera.runtime.bench.KvCacheBenchmark.run(components, config, kvBatch, Math.min(1, warmup), runs);
      out.printf(Locale.ROOT, "kv_cache gpt (dim %d, %d layers), %d codes after a %d-position prefix, batch %d, median of %d:%n",
          config.getInt("dim", 0), config.getInt("layers", 0), r.codes(), r.prefix(), r.batch(), runs);
      out.printf(Locale.ROOT, "  with cache %.2f ms/sample, without %.2f ms/sample: cache %.1fx faster; same codes: %s; peak RSS %.0f / %.0f MiB%n",
          r.cachedMs() / r.batch(), r.uncachedMs() / r.batch(), r.ratio(), r.sameCodes(), r.cachedPeakKiB() / 1024.0, r.uncachedPeakKiB() / 1024.0);
    }
  }

  /** DDIM at 50 steps against DDPM at 1000 on the same model, prompts and seed: time and quality ratios. */
  private void schedulers(java.io.PrintWriter out) {
    try (PluginRuntime plugins = root.loadPlugins()) {
      dev.tessera.runtime.plugin.Components components = root.components(plugins);
      dev.tessera.runtime.pipeline.PipelineSpec spec = dev.tessera.runtime.pipeline.PipelineSpec.of("clip-diffusion");
      if (diffusionWeights != null) {
        spec = spec.withWeights(diffusionWeights);
      }
      java.util.List<dev.tessera.runtime.bench.SchedulerBenchmark.Run> runs;
      try (dev.tessera.runtime.evaluation.GenerationScorer scorer = dev.tessera.runtime.bench.SchedulerBenchmark.scorer(components, "cpu");
          ConsoleProgress progress = new ConsoleProgress("schedulers", out)) {
        java.util.List<String> names = new java.util.ArrayList<>();
        java.util.List<Integer> steps = new java.util.ArrayList<>();
        for (String run : schedulerRuns) {
          String[] parts = run.split(":");
          if (parts.length != 2 || !parts[1].matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("--schedulers: NAME:STEPS, got '" + run + "'");
          }
          names.add(parts[0]);
          steps.add(dev.tessera.api.pipeline.PipelineOptions.STEPS.checkInt(Integer.parseInt(parts[1])));
        }
        runs = dev.tessera.runtime.bench.SchedulerBenchmark.run(components, spec, scorer, names, steps, schedulerImages, 1, progress);
      }
      double guidance = dev.tessera.runtime.pipeline.Pipelines.options(components, spec).getDouble("guidance_scale");
      for (var r : runs) {
        out.printf(Locale.ROOT, "schedulers %s %d steps, guidance %.1f, %d images: %.1f s (%.3f s/image), FID %.2f (floor %.2f), accuracy %.3f%n",
            r.scheduler(), r.steps(), guidance, r.score().images(), r.seconds(), r.seconds() / r.score().images(), r.score().fid(),
            r.score().fidFloor(), r.score().conditionalAccuracy());
      }
      var first = runs.get(0);
      for (var r : runs.subList(1, runs.size())) {
        out.printf(Locale.ROOT, "  %s %d / %s %d: time %.2fx, FID %.3fx%n", r.scheduler(), r.steps(), first.scheduler(), first.steps(),
            r.seconds() / first.seconds(), r.score().fid() / first.score().fid());
      }
    }
  }
}
