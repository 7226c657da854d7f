package dev.tessera.runtime.cli;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.runtime.bench.Benchmarks;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tessera bench}: the machine's matmul rate (the ceiling, measured at the start and the end;
 * the better is used) and the VQ-VAE training step, reported as a ratio to that ceiling.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure float32 matmul GFLOP/s (the ceiling) and the VQ-VAE training step against it, in one run.")
final class BenchCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", defaultValue = "vqvae",
      description = "Trainable model whose training step is timed, with its default config. Default: ${DEFAULT-VALUE} (the documented workload).")
  String model;

  @Option(names = "--workloads", split = ",", defaultValue = "model,unet_train,unet_sample",
      description = "Which workloads besides the matmul ceiling: model (the --model training step), unet_train, unet_sample, "
          + "schedulers (the shipped clip-diffusion under DDIM 50 and DDPM 1000 steps, timed and scored; minutes), "
          + "kv_cache (the gpt prior sampling a code grid with and without its key/value cache). Default: ${DEFAULT-VALUE}.")
  java.util.List<String> workloads;

  @Option(names = "--scheduler-images", defaultValue = "10",
      description = "schedulers: images per class prompt (ten prompts) per scheduler. Default: ${DEFAULT-VALUE}.")
  int schedulerImages;

  @Option(names = "--diffusion-weights", description = "schedulers: a clip-diffusion weights folder (default: shipped).")
  java.nio.file.Path diffusionWeights;

  @Option(names = "--iterations", defaultValue = "20", description = "Timed iterations per workload (median reported). Default: ${DEFAULT-VALUE}.")
  int iterations;

  @Option(names = "--warmup", defaultValue = "5", description = "Untimed iterations first. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--matmul-size", defaultValue = "2048", description = "Side of the square matmul. Default: ${DEFAULT-VALUE}.")
  int matmulSize;

  @Option(names = "--batch-size", defaultValue = "32", description = "VQ-VAE batch. Default: ${DEFAULT-VALUE}.")
  int batch;

  private static String describe(ModelConfig c) {
    int s = c.getInt("image_size", 0);
    String base = s + "x" + s + "x" + c.getInt("channels", 0);
    if (c.has("hidden_channels")) {
      base += String.format(Locale.ROOT, ", hidden %d, residual %d x%d, K=%d D=%d", c.getInt("hidden_channels", 0),
          c.getInt("residual_channels", 0), c.getInt("residual_layers", 0), c.getInt("codebook_size", 0), c.getInt("embedding_dim", 0));
    }
    return base;
  }

  @Override
  public Integer call() {
    if (iterations < 1 || warmup < 0 || matmulSize < 1 || batch < 1) {
      throw new IllegalArgumentException("--iterations, --matmul-size and --batch-size must be positive, --warmup >= 0");
    }
    for (String w : workloads) {
      if (!java.util.List.of("model", "unet_train", "unet_sample", "schedulers", "kv_cache").contains(w)) {
        throw new IllegalArgumentException("unknown workload '" + w + "' (model, unet_train, unet_sample, schedulers, kv_cache)");
      }
    }
    java.io.PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "tessera bench: %d cores, median of %d after %d warm-up%n",
        Runtime.getRuntime().availableProcessors(), iterations, warmup);
    double flopsMm = Benchmarks.matmulFlops(matmulSize);
    Benchmarks.Timing mm1 = Benchmarks.matmul(matmulSize, warmup, iterations);
    out.printf(Locale.ROOT, "matmul %dx%d float32 (start): %8.2f ms  %7.1f GFLOP/s%n",
        matmulSize, matmulSize, mm1.medianMs(), flopsMm / mm1.medianMs() / 1e6);

    java.util.List<String> lines = new java.util.ArrayList<>();
    java.util.List<double[]> flopsAndMs = new java.util.ArrayList<>();
    if (workloads.contains("model")) {
      try (PluginRuntime plugins = root.loadPlugins()) {
        TrainableModel trainable = root.components(plugins).model(model);
        ModelConfig config = trainable.defaultConfig();
        long forward = trainable.forwardFlopsPerExample(config);
        Benchmarks.Timing step = Benchmarks.trainStep(trainable, config, batch, warmup, iterations);
        lines.add(String.format(Locale.ROOT, "%s_train batch %d, %s, Adam: %8.2f ms/step", model, batch, describe(config), step.medianMs()));
        flopsAndMs.add(new double[] {forward > 0 ? 3.0 * forward * batch : -1, step.medianMs()});
      }
    }
    if (workloads.contains("unet_train")) {
      long forward = dev.tessera.api.layers.UNet.flops(Benchmarks.BENCH_UNET, 32);
      Benchmarks.Timing step = Benchmarks.unetTrain(Benchmarks.BENCH_UNET, 32, 32, warmup, iterations);
      lines.add(String.format(Locale.ROOT, "unet_train batch 32x1x32x32, channels (32,64,128), 2 blocks, attention at 8x8, Adam: %8.2f ms/step", step.medianMs()));
      flopsAndMs.add(new double[] {3.0 * forward * 32, step.medianMs()});
    }
    if (workloads.contains("unet_sample")) {
      long forward = dev.tessera.api.layers.UNet.flops(Benchmarks.BENCH_UNET, 32);
      int runs = Math.max(1, iterations / 4);
      Benchmarks.Timing run = Benchmarks.unetSample(Benchmarks.BENCH_UNET, 16, 32, 50, Math.min(1, warmup), runs);
      lines.add(String.format(Locale.ROOT, "unet_sample 50 DDIM steps, batch 16: %8.2f ms per run, %.2f ms per image (median of %d runs)",
          run.medianMs(), run.medianMs() / 16, runs));
      flopsAndMs.add(new double[] {50.0 * forward * 16, run.medianMs()});
    }

    if (workloads.contains("schedulers")) {
      schedulers(out);
    }
    if (workloads.contains("kv_cache")) {
      kvCache(out);
    }

    Benchmarks.Timing mm2 = Benchmarks.matmul(matmulSize, warmup, iterations);
    out.printf(Locale.ROOT, "matmul %dx%d float32 (end):   %8.2f ms  %7.1f GFLOP/s%n",
        matmulSize, matmulSize, mm2.medianMs(), flopsMm / mm2.medianMs() / 1e6);
    double ceiling = flopsMm / Math.min(mm1.medianMs(), mm2.medianMs()) / 1e6;
    out.printf(Locale.ROOT, "ceiling: %.1f GFLOP/s (the better of the two matmul runs)%n", ceiling);
    for (int i = 0; i < lines.size(); i++) {
      out.println(lines.get(i));
      double flops = flopsAndMs.get(i)[0];
      double ms = flopsAndMs.get(i)[1];
      if (flops > 0) {
        double achieved = flops / ms / 1e6;
        out.printf(Locale.ROOT, "  analytic %.2f GFLOP, achieved %.1f GFLOP/s = %.3f of the matmul ceiling%n", flops / 1e9, achieved, achieved / ceiling);
      } else {
        out.println("  (the model gives no FLOP count: no GFLOP/s ratio)");
      }
    }
    out.flush();
    return 0;
  }

  @Option(names = "--kv-batch", defaultValue = "16", description = "kv_cache: samples per sampling call. Default: ${DEFAULT-VALUE}.")
  int kvBatch;

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
      out.printf(Locale.ROOT, "  with cache %.2f ms/sample, without %.2f ms/sample: cache %.1fx faster; same codes: %s%n",
          r.cachedMs() / r.batch(), r.uncachedMs() / r.batch(), r.ratio(), r.sameCodes());
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
        runs = dev.tessera.runtime.bench.SchedulerBenchmark.run(components, spec, scorer, java.util.List.of("ddim", "ddpm"),
            java.util.List.of(50, 1000), schedulerImages, 1, progress);
      }
      for (var r : runs) {
        out.printf(Locale.ROOT, "schedulers %s %d steps, guidance %.1f, %d images: %.1f s (%.3f s/image), FID %.2f (floor %.2f), accuracy %.3f%n",
            r.scheduler(), r.steps(), spec.guidanceScale(), r.score().images(), r.seconds(), r.seconds() / r.score().images(), r.score().fid(),
            r.score().fidFloor(), r.score().conditionalAccuracy());
      }
      var ddim = runs.get(0);
      var ddpm = runs.get(1);
      out.printf(Locale.ROOT, "  DDPM/DDIM time: %.1fx; DDIM FID / DDPM FID: %.3f%n", ddpm.seconds() / ddim.seconds(), ddim.score().fid() / ddpm.score().fid());
    }
  }
}
