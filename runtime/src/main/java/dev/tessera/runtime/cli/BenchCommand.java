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
    java.io.PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "tessera bench: %d cores, median of %d after %d warm-up%n",
        Runtime.getRuntime().availableProcessors(), iterations, warmup);
    double flopsMm = Benchmarks.matmulFlops(matmulSize);
    Benchmarks.Timing mm1 = Benchmarks.matmul(matmulSize, warmup, iterations);
    out.printf(Locale.ROOT, "matmul %dx%d float32 (start): %8.2f ms  %7.1f GFLOP/s%n",
        matmulSize, matmulSize, mm1.medianMs(), flopsMm / mm1.medianMs() / 1e6);

    try (PluginRuntime plugins = root.loadPlugins()) {
      TrainableModel trainable = root.components(plugins).model(model);
      ModelConfig config = trainable.defaultConfig();
      long forward = trainable.forwardFlopsPerExample(config);
      double stepFlops = 3.0 * forward * batch; // a training step counts 3x the forward pass
      Benchmarks.Timing step = Benchmarks.trainStep(trainable, config, batch, warmup, iterations);

      Benchmarks.Timing mm2 = Benchmarks.matmul(matmulSize, warmup, iterations);
      out.printf(Locale.ROOT, "matmul %dx%d float32 (end):   %8.2f ms  %7.1f GFLOP/s%n",
          matmulSize, matmulSize, mm2.medianMs(), flopsMm / mm2.medianMs() / 1e6);
      double ceiling = flopsMm / Math.min(mm1.medianMs(), mm2.medianMs()) / 1e6;
      double achieved = stepFlops / step.medianMs() / 1e6;
      out.printf(Locale.ROOT, "ceiling: %.1f GFLOP/s (the better of the two matmul runs)%n", ceiling);
      out.printf(Locale.ROOT, "%s_train batch %d, %s, Adam: %8.2f ms/step%n", model, batch, describe(config), step.medianMs());
      if (forward > 0) {
        out.printf(Locale.ROOT,
            "  analytic FLOPs: %.1f MFLOP forward per image, x3 x %d = %.2f GFLOP per step%n", forward / 1e6, batch, stepFlops / 1e9);
        out.printf(Locale.ROOT, "  achieved %.1f GFLOP/s = %.3f of the matmul ceiling%n", achieved, achieved / ceiling);
      } else {
        out.println("  (the model gives no FLOP count: no GFLOP/s ratio)");
      }
      out.flush();
      return 0;
    }
  }
}
