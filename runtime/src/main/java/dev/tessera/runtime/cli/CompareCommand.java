package dev.tessera.runtime.cli;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.OutputFolder;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.runtime.compare.Comparison;
import dev.tessera.runtime.compare.ComparisonReport;
import dev.tessera.runtime.evaluation.AttributeControl;
import dev.tessera.runtime.evaluation.GenerationScorer;
import dev.tessera.runtime.evaluation.PromptLabels;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code tessera compare}: several pipelines, the same prompts and seeds, one evaluator, one report. */
@Command(name = "compare",
    footer = {"", "Examples:",
        "  ./tessera compare --pipelines clip-gan,clip-vae,clip-diffusion --num-images 20 --seeds 1,2 --output-dir out/report",
        "  ./tessera compare --pipelines clip-diffusion,samples/pipelines/diffusion-classifier-guided.json --output-dir out/cg",
        "  ./tessera compare --pipelines clip-gan --attribute-control --num-images 50 --output-dir out/attributes"}, mixinStandardHelpOptions = true,
    description = "Run pipelines side by side on the same prompts and seeds; write table.md, table.json and index.html.")
final class CompareCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--pipelines", required = true, split = ",", description = "Pipelines to compare, e.g. clip-diffusion,clip-gan; "
      + "a pipeline file (NAME.json, as for generate --pipeline-file) adds a variant labelled NAME.")
  List<String> pipelines;

  @Option(names = "--prompts", description = "File with one prompt per line (default: the ten Fashion-MNIST class prompts); "
      + "'a zori => sandal' gives a prompt the class it asks for when its words name none.")
  Path promptsFile;

  @Option(names = "--attribute-control", description = "Prompt with 'a photo of a dark coat' / 'a photo of a light coat' (and plain / "
      + "patterned, small / large) for every class instead, and report whether the images differ as the real images with those words do.")
  boolean attributeControl;

  @Option(names = "--num-images", defaultValue = "16", description = "Images per prompt and seed (as many as generate draws). Default: ${DEFAULT-VALUE}.")
  int numImages;

  @Option(names = "--seeds", defaultValue = "0", split = ",", description = "Sampling seeds (0, as generate's --seed). Default: ${DEFAULT-VALUE}.")
  List<Long> seeds;

  @Option(names = "--output-dir", required = true, description = "Report folder (new or empty; see --overwrite).")
  Path outputDir;

  @picocli.CommandLine.Mixin OverwriteOption overwrite = new OverwriteOption();

  @Option(names = "--weights", description = "Weights folder for a pipeline: NAME=DIR (repeatable; default: shipped weights).")
  Map<String, Path> weights = new LinkedHashMap<>();

  @Option(names = "--scheduler", description = "Sampler of the pipelines that take one (the diffusion ones). Default: each pipeline's (ddim).")
  String scheduler;

  @Option(names = "--steps", description = "Sampling steps of the pipelines that take them. Default: each pipeline's (50).")
  Integer steps;

  @Option(names = "--guidance-scale", description = "Classifier-free guidance scale of the pipelines that take one. Default: each pipeline's "
      + "(clip-diffusion 2, dalle2 3, vqgan-transformer 1.5).")
  Float guidanceScale;

  @picocli.CommandLine.Mixin DrawOptions draw = new DrawOptions();

  @Option(names = "--evaluator", defaultValue = "fashion-classifier", description = "Evaluator model. Default: ${DEFAULT-VALUE}.")
  String evaluator;

  @Option(names = "--clip-model", defaultValue = "clip", description = "Model whose weights give the CLIP score; 'none' to skip. Default: ${DEFAULT-VALUE}.")
  String clipModel;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N. Default: ${DEFAULT-VALUE}.")
  String device;

  @Override
  public Integer call() throws IOException {
    if (numImages < 2) {
      throw new TesseraException("--num-images must be at least 2 (diversity needs pairs), got " + numImages);
    }
    Flags.NUM_IMAGES.checkInt(numImages);
    OutputFolder output = overwrite.check(outputDir, "--output-dir", ComparisonReport.FILES);
    if (attributeControl && promptsFile != null) {
      throw new TesseraException("--attribute-control brings its own prompts: leave out --prompts");
    }
    List<PromptLabels.Labelled> labelled = promptsFile == null
        ? (attributeControl ? AttributeControl.prompts() : Comparison.classPrompts()).stream().map(p -> new PromptLabels.Labelled(p, -1)).toList()
        : readPrompts(promptsFile);
    List<String> prompts = labelled.stream().map(PromptLabels.Labelled::prompt).toList();
    java.util.Map<String, Integer> given = new LinkedHashMap<>();
    labelled.stream().filter(l -> l.classId() >= 0).forEach(l -> given.put(l.prompt(), l.classId()));
    List<String> labels = pipelines.stream().map(CompareCommand::labelOf).toList();
    for (String name : weights.keySet()) {
      if (!labels.contains(name)) {
        throw new TesseraException("--weights " + name + "=...: '" + name + "' is not one of --pipelines " + pipelines);
      }
    }
    java.util.Map<String, PipelineSpec> specs = new java.util.LinkedHashMap<>();
    for (String name : pipelines) {
      // A pipeline file is a variant of a pipeline (its own guidance, sampler, weights), labelled by its file name.
      String label = labelOf(name);
      PipelineSpec s = (isFile(name) ? PipelineSpec.read(Path.of(name)) : PipelineSpec.of(name)).withDevice(device);
      java.util.Map<String, Object> sampling = new LinkedHashMap<>();
      if (scheduler != null) {
        sampling.put("scheduler", scheduler);
      }
      if (steps != null) {
        sampling.put("steps", steps);
      }
      if (guidanceScale != null) {
        sampling.put("guidance_scale", guidanceScale);
      }
      s = draw.applyTo(s.withOptionsWhereDeclared(sampling), true);
      if (specs.put(label, weights.containsKey(label) ? s.withWeights(weights.get(label)) : s) != null) {
        throw new TesseraException("--pipelines lists '" + label + "' twice");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    try (PluginRuntime plugins = root.loadPlugins()) {
      Components components = root.components(plugins);
      ModelWeights evaluatorWeights = components.shippedWeights(evaluator);
      if (evaluatorWeights == null) {
        throw new TesseraException("evaluator model '" + evaluator + "' ships no weights");
      }
      ModelWeights clip = clipModel.equals("none") ? null : components.shippedWeights(clipModel);
      output.prepare();
      Comparison.Result result;
      try (GenerationScorer scorer = new GenerationScorer(components, evaluatorWeights, clip, device, 0);
          ConsoleProgress progress = new ConsoleProgress("compare", out)) {
        result = new Comparison(components, scorer.givenClasses(given)).run(specs, prompts, seeds, numImages, outputDir, progress);
      }
      ComparisonReport.write(result, outputDir);
      List<String> failed = new ArrayList<>();
      for (var p : result.pipelines()) {
        if (p.error() != null) {
          out.printf(Locale.ROOT, "%s failed: %s%n", p.pipeline(), p.error());
          failed.add(p.pipeline());
        }
      }
      out.printf(Locale.ROOT, "report: %s%n", outputDir.resolve("index.html"));
      out.flush();
      if (!failed.isEmpty()) {
        // The report is written (it says what failed), but a script must see that the comparison is incomplete.
        throw new TesseraException(failed.size() + " of " + result.pipelines().size() + " pipelines failed (" + String.join(", ", failed)
            + "); the report lists why");
      }
    }
    return 0;
  }

  private static boolean isFile(String pipeline) {
    return pipeline.endsWith(".json");
  }

  /** A --pipelines entry's label in the report: a pipeline's name, or a pipeline file's name without ".json". */
  static String labelOf(String pipeline) {
    if (!isFile(pipeline)) {
      return pipeline;
    }
    Path file = Path.of(pipeline).getFileName();
    String name = file == null ? "" : file.toString();
    String label = name.substring(0, Math.max(0, name.length() - ".json".length()));
    // The label names the pipeline's folder in the report: it must be one plain folder name.
    if (label.isEmpty() || label.equals(".") || label.equals("..") || label.startsWith(".")) {
      throw new TesseraException("--pipelines: '" + pipeline + "': a pipeline file's name (without .json) labels its results folder, "
          + "so it must not be empty or start with '.'");
    }
    return label;
  }

  static List<PromptLabels.Labelled> readPrompts(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new TesseraException("--prompts: no file " + file);
    }
    List<PromptLabels.Labelled> prompts = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String p = lines.get(i).strip();
      if (!p.isEmpty() && !p.startsWith("#")) {
        PromptLabels.Labelled l;
        try {
          l = PromptLabels.parseLine(p);
        } catch (IllegalArgumentException e) {
          throw new TesseraException("--prompts: " + file + " line " + (i + 1) + ": " + e.getMessage());
        }
        if (!seen.add(l.prompt())) {
          throw new TesseraException("--prompts: " + file + " line " + (i + 1) + ": '" + l.prompt() + "' is listed twice");
        }
        prompts.add(l);
      }
    }
    if (prompts.isEmpty()) {
      throw new TesseraException("--prompts: " + file + " holds no prompts (one per line; # starts a comment)");
    }
    return prompts;
  }
}
