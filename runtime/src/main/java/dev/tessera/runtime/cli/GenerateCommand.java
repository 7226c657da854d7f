package dev.tessera.runtime.cli;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.OutputFolder;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.pipeline.GenerationOutput;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code tessera generate}: prompt -> images with a named pipeline or a pipeline file. */
@Command(name = "generate",
    footer = {"", "Examples:",
        "  ./tessera generate --pipeline clip-diffusion --prompt \"a photo of a bag\" --output-dir out/bags",
        "  ./tessera generate --pipeline latent-diffusion --prompt \"a photo of a dress\" --num-images 4 --seed 3 --output-dir out/dresses",
        "  ./tessera generate --pipeline-file samples/pipelines/diffusion-ddim.json --prompt \"a photo of a coat\" --output-dir out/coats"}, mixinStandardHelpOptions = true,
    description = "Generate images from a prompt. Writes DIR/images/0000.png..., DIR/grid.png and DIR/manifest.json.")
final class GenerateCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Which which;

  static final class Which {
    @Option(names = "--pipeline", description = "Pipeline name (./tessera pipelines lists them with their options).")
    String pipeline;

    @Option(names = "--pipeline-file", description = "A pipeline JSON file (pipeline, weights, scheduler, steps, guidance_scale, ...).")
    Path pipelineFile;
  }

  @Option(names = "--prompt", required = true, description = "What to draw, e.g. \"a photo of a sneaker\".")
  String prompt;

  @Option(names = "--num-images", defaultValue = "16", description = "Images to generate. Default: ${DEFAULT-VALUE}.")
  int numImages;

  @Option(names = "--seed", defaultValue = "0", description = "Same seed, same images. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--output-dir", required = true, description = "Output folder (new or empty; see --overwrite).")
  Path outputDir;

  @picocli.CommandLine.Mixin OverwriteOption overwrite = new OverwriteOption();

  @Option(names = "--scheduler", description = "The sampler of a diffusion pipeline: ddpm, ddim, dpm-solver++, euler-a, heun, or one a plugin "
      + "brings. Default: ddim (or the file's).")
  String scheduler;

  @Option(names = "--steps", description = "Sampling steps. Default: 50 (or the file's).")
  Integer steps;

  @Option(names = "--guidance-scale", description = "Classifier-free guidance scale (1: none). Default: 2 (dalle2: 3, vqgan-transformer: 1.5), or the file's.")
  Float guidanceScale;

  @Option(names = "--eta", description = "DDIM eta (0: deterministic). Default: 0.")
  Double eta;

  @Option(names = "--batch-size", description = "Images per session run. Default: 50.")
  Integer batchSize;

  @Option(names = "--weights", description = "Folder with config.json + model.safetensors (default: the plugin's shipped weights).")
  Path weights;

  @Option(names = "--device", description = "cpu, gpu or gpu:N (soft placement). Default: cpu.")
  String device;

  @Option(names = "--clip-guidance-scale",
      description = "CLIP guidance on top of classifier-free guidance: the gradient of CLIP similarity at the predicted image (0: off). "
          + "Weighted prompts work: \"a sneaker:1|a boot:-0.3\". Default: 0.")
  Float clipGuidanceScale;

  @Option(names = "--classifier-guidance-scale",
      description = "Classifier guidance on top of classifier-free guidance: the gradient of log p(class named in the prompt | x_t) under "
          + "the plugins' guidance that scores noisy samples (the diffusion plugin's noisy classifier) shifts each step (0: off). Default: 0.")
  Float classifierGuidanceScale;

  @Option(names = "--score-guidance", paramLabel = "NAME", description = "Any score guidance by name (from ./tessera plugins), with "
      + "--score-guidance-scale; --clip-guidance-scale is short for clip, --classifier-guidance-scale for the one guidance that scores noisy samples.")
  String scoreGuidance;

  @Option(names = "--score-guidance-scale", description = "The scale of --score-guidance (0: off).")
  Float scoreGuidanceScale;

  @Option(names = "--prior-weights", description = "dalle2: the prior's weights folder (default: DIR/prior of --weights, else shipped).")
  Path priorWeights;

  @Option(names = "--prior-guidance-scale", description = "dalle2: classifier-free guidance of the prior. Default: 1.")
  Float priorGuidanceScale;

  @picocli.CommandLine.Mixin DrawOptions draw = new DrawOptions();

  @Option(names = "--model", description = "The trained model whose shipped weights the pipeline runs (default: the pipeline's; "
      + "vqgan-clip: vqgan when loaded with weights, else vqvae).")
  String model;

  @Option(names = "--iterations", description = "vqgan-clip: Adam steps on the latent grid per batch of images. Default: "
      + "100 (or the file's).")
  Integer iterations;

  @Option(names = "--cutouts", description = "vqgan-clip: random crops CLIP scores per image and step (more: slower, harder to fool). "
      + "Default: 24 (or the file's).")
  Integer cutouts;

  @Option(names = "--init-noise", description = "vqgan-clip without --init-image: Gaussian noise on the blank canvas's latents, in "
      + "units of the codebook's RMS (less: more recognisable, less varied images). Default: 0.3 (or the file's).")
  Double initNoise;

  @Option(names = "--lr", description = "vqgan-clip: Adam learning rate on the latent grid. Default: 0.1 (or the file's).")
  Double learningRate;

  @Option(names = "--init-image", paramLabel = "PNG", description = "vqgan-clip: start from the encoder's latents of this PNG (resized and "
      + "converted to the model's size and channels) instead of random codes.")
  Path initImage;

  @Option(names = "--save-every", paramLabel = "K", description = "vqgan-clip: also write each image every K iterations to "
      + "OUTPUT/frames/<image>/<iteration>.png (0: no frames). Default: 0.")
  Integer saveEvery;

  /**
   * The guidance {@code --classifier-guidance-scale} stands for: the one the plugins register that scores noisy samples
   * ({@link dev.tessera.api.spi.Guidance#scoresNoisySamples}, a classifier of noised images).
   */
  static String classifierGuidance(Map<String, ? extends dev.tessera.api.spi.Guidance> guidances) {
    java.util.List<String> noisy = new java.util.ArrayList<>();
    guidances.forEach((name, g) -> {
      if (g.scoresNoisySamples()) {
        noisy.add(name);
      }
    });
    java.util.Collections.sort(noisy);
    if (noisy.isEmpty()) {
      throw new TesseraException("--classifier-guidance-scale: no guidance of the plugins scores noisy samples (a classifier of noised images);"
          + " ./tessera plugins lists the guidances, --score-guidance NAME picks one");
    }
    if (noisy.size() > 1) {
      throw new TesseraException("--classifier-guidance-scale: " + noisy.size() + " guidances score noisy samples (" + String.join(", ", noisy)
          + "): give --score-guidance NAME --score-guidance-scale X instead");
    }
    return noisy.get(0);
  }

  /**
   * The flags that are options of some pipelines, by their option keys: a pipeline that does not
   * declare one refuses it, naming the options it has.
   */
  private Map<String, Object> pipelineOptions() {
    int scoreOptions = (clipGuidanceScale != null ? 1 : 0) + (classifierGuidanceScale != null ? 1 : 0) + (scoreGuidance != null ? 1 : 0);
    if (scoreOptions > 1) {
      throw new TesseraException("one score guidance per run: give one of --clip-guidance-scale, --classifier-guidance-scale, --score-guidance");
    }
    if ((scoreGuidance == null) != (scoreGuidanceScale == null)) {
      throw new TesseraException("--score-guidance and --score-guidance-scale go together");
    }
    Map<String, Object> o = new LinkedHashMap<>();
    if (clipGuidanceScale != null) {
      o.put("score_guidance", "clip");
      o.put("score_guidance_scale", clipGuidanceScale);
    } else if (classifierGuidanceScale != null) {
      o.put("score_guidance_scale", classifierGuidanceScale); // the guidance: classifierGuidance, once the plugins are loaded
    } else if (scoreGuidance != null) {
      o.put("score_guidance", scoreGuidance);
      o.put("score_guidance_scale", scoreGuidanceScale);
    }
    Object[] flags = {"scheduler", scheduler, "steps", steps, "guidance_scale", guidanceScale, "eta", eta, "prior_weights", priorWeights,
        "prior_guidance_scale", priorGuidanceScale, "iterations", iterations, "cutouts", cutouts, "init_noise", initNoise,
        "learning_rate", learningRate, "init_image", initImage, "save_every", saveEvery};
    for (int i = 0; i < flags.length; i += 2) {
      if (flags[i + 1] != null) {
        o.put((String) flags[i], flags[i + 1]);
      }
    }
    return o;
  }

  @Override
  public Integer call() {
    Flags.NUM_IMAGES.checkInt(numImages);
    OutputFolder output = overwrite.check(outputDir, "--output-dir", GenerationOutput.FILES);
    PipelineSpec s = which.pipelineFile != null ? PipelineSpec.read(which.pipelineFile) : PipelineSpec.of(which.pipeline);
    if (weights != null) {
      s = s.withWeights(weights);
    }
    if (device != null) {
      s = s.withDevice(device);
    }
    if (batchSize != null) {
      s = s.withBatchSize(batchSize);
    }
    if (model != null) {
      s = s.withModel(model);
    }
    s = s.withOptions(pipelineOptions());
    s = draw.applyTo(s, false);
    PrintWriter out = spec.commandLine().getOut();
    double pluginsStart = uptimeSeconds();
    try (PluginRuntime plugins = root.loadPlugins()) {
      long t0 = System.nanoTime();
      double pluginsSeconds = uptimeSeconds() - pluginsStart;
      boolean console = System.console() != null;
      if (console) {
        out.print("loading " + s.pipeline() + " (weights, graph, session)... ");
        out.flush();
      }
      if (classifierGuidanceScale != null) {
        s = s.withOptions(Map.of("score_guidance", classifierGuidance(root.components(plugins).guidances())));
      }
      try (GenerationPipeline p = Pipelines.open(root.components(plugins), s, outputDir)) {
        double load = (System.nanoTime() - t0) / 1e9;
        if (console) {
          out.printf(Locale.ROOT, "%.1f s%n", load);
        }
        output.prepare(); // before sampling: vqgan-clip writes frames while it runs
        java.util.List<String> warnings = p.warnings(prompt);
        for (String warning : warnings) {
          spec.commandLine().getErr().println("warning: " + warning);
        }
        long t1 = System.nanoTime();
        double startup = uptimeSeconds();
        ImageBatch images;
        try (ConsoleProgress progress = new ConsoleProgress("generate " + p.name(), out)) {
          images = p.generate(prompt, numImages, seed, progress);
        }
        double gen = (System.nanoTime() - t1) / 1e9;
        Path manifest = GenerationOutput.write(outputDir, GenerationOutput.Run.of(p, prompt, seed, s, load, gen, warnings), images,
            startupTimings(pluginsSeconds, startup));
        out.printf(Locale.ROOT, "%d images in %.2f s (%.3f s/image) -> %s%n", images.count(), gen, gen / images.count(), manifest);
        out.flush();
      }
    }
    return 0;
  }

  private static java.util.Map<String, Double> startupTimings(double pluginsSeconds, double startupSeconds) {
    java.util.Map<String, Double> t = new java.util.LinkedHashMap<>();
    t.put("plugins_seconds", pluginsSeconds);
    t.put("startup_seconds", startupSeconds);
    return t;
  }

  /** Seconds since the JVM started: what "startup_seconds" in the manifest measures up to the first sampling step. */
  private static double uptimeSeconds() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
  }
}
