package dev.tessera.samples;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.runtime.data.DataSources;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import dev.tessera.runtime.train.TrainOptions;
import dev.tessera.runtime.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The soak run {@link NativeMemorySoakTest} starts in a JVM of its own (heap fixed and touched up
 * front, so resident memory moves only with native memory): diffusion sampling steps on the
 * shipped clip-diffusion weights, VQ-VAE training steps in chunks (each chunk a new graph and
 * session, resumed from the last checkpoint), and plugin load/use/unload cycles. After each
 * block it prints {@code rss PHASE DONE RSS_KB HEAP_USED_KB}.
 *
 * <pre>NativeMemorySoak PLUGINS_DIR WORK_DIR SAMPLING_STEPS TRAINING_STEPS RELOADS</pre>
 */
public final class NativeMemorySoak {
  static final int STEPS_PER_IMAGE = 50;
  static final int TRAINING_CHUNKS = 5;
  static final int RELOAD_BLOCK = 10;

  public static void main(String[] args) throws IOException {
    Path plugins = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int samplingSteps = Integer.parseInt(args[2]);
    int trainingSteps = Integer.parseInt(args[3]);
    int reloads = Integer.parseInt(args[4]);
    try (PluginRuntime runtime = PluginRuntime.load(plugins)) {
      Components components = Components.create(runtime);
      sample(components, samplingSteps);
      train(components, work, trainingSteps);
    }
    reload(plugins, reloads);
  }

  private static void sample(Components components, int steps) {
    PipelineSpec spec = PipelineSpec.of("clip-diffusion").withOptions(java.util.Map.of("scheduler", "ddim", "steps", STEPS_PER_IMAGE,
        "guidance_scale", 1.5));
    int images = steps / STEPS_PER_IMAGE;
    int block = Math.max(1, images / 10);
    try (GenerationPipeline pipeline = Pipelines.open(components, spec)) {
      for (int i = 1; i <= images; i++) {
        pipeline.generate("a photo of a sneaker", 1, i, null);
        if (i % block == 0) {
          report("sampling", (long) i * STEPS_PER_IMAGE);
        }
      }
    }
  }

  private static void train(Components components, Path work, int steps) {
    TrainableModel vqvae = components.model("vqvae");
    Dataset data = DataSources.open("fashion-mnist", true, 28, 1).data().first(4096);
    Path dir = work.resolve("vqvae");
    long chunk = steps / TRAINING_CHUNKS;
    for (int c = 1; c <= TRAINING_CHUNKS; c++) {
      TrainOptions o = TrainOptions.defaults(dir).withSteps(c * chunk).withBatchSize(32).withCheckpointEvery(chunk).withResume(c > 1);
      new Trainer(new PrintWriter(new StringWriter())).withComponents(components).train(vqvae, ModelConfig.empty(), data, o);
      report("training", c * chunk);
    }
  }

  private static void reload(Path plugins, int reloads) {
    for (int i = 1; i <= reloads; i++) {
      try (PluginRuntime runtime = PluginRuntime.load(plugins);
          GenerationPipeline gan = Pipelines.open(Components.create(runtime), PipelineSpec.of("clip-gan"))) {
        gan.generate("a photo of a boot", 4, i, null);
      }
      if (i % RELOAD_BLOCK == 0) {
        report("reload", i);
      }
    }
  }

  private static void report(String phase, long done) {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    long heapUsedKb = (rt.totalMemory() - rt.freeMemory()) / 1024;
    System.out.printf(Locale.ROOT, "rss %s %d %d %d%n", phase, done, residentKb(), heapUsedKb);
    System.out.flush();
  }

  /** VmRSS from /proc/self/status, in KiB. */
  static long residentKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
