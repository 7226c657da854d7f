package dev.tessera.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.evaluation.GenerationScorer;
import dev.tessera.runtime.evaluation.PromptLabels;
import dev.tessera.runtime.pipeline.GenerationOutput;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tessera evaluate}: scores generated 28x28 images with the evaluator trained on real
 * Fashion-MNIST (see {@link GenerationScorer}), from a folder and a prompt or from the manifest
 * {@code generate} wrote.
 */
@Command(name = "evaluate",
    footer = {"", "Examples:",
        "  ./tessera evaluate --manifest out/bags/manifest.json",
        "  ./tessera evaluate --input DIR --prompt \"a photo of a sneaker\" --json"}, mixinStandardHelpOptions = true,
    description = "Score generated images: conditional accuracy, FID (with floor and ceiling at the same n), CLIP score, diversity, mode collapse.")
final class EvaluateCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin WeightsOptions weightsOptions;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--input", description = "Folder of PNG images (one prompt's images).")
    Path input;

    @Option(names = "--manifest", description = "A manifest.json written by generate: its images and prompt.")
    Path manifest;
  }

  @Option(names = "--prompt", description = "With --input: the prompt the images were made for; its class name gives the target class.")
  String prompt;

  @Option(names = {"--evaluator", "--model"}, defaultValue = "fashion-classifier",
      description = "Evaluator model, as compare's --evaluator (--model: the older name, deprecated). Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--clip-model", defaultValue = "clip",
      description = "Model whose shipped weights give the CLIP score (mean cosine of images and prompt); 'none' to skip. Default: ${DEFAULT-VALUE}.")
  String clipModel;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the floor and ceiling samples. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--json", description = "Print the scores as one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    TesseraCli.warnIfDeprecatedNameUsed(spec, "--model", "--evaluator (as compare does)");
    PrintWriter out = spec.commandLine().getOut();
    ImageBatch images;
    String promptText = prompt;
    if (source.manifest != null) {
      if (prompt != null) {
        throw new TesseraException("--prompt comes from the manifest; leave it out with --manifest");
      }
      GenerationOutput.Manifest m = GenerationOutput.read(source.manifest);
      promptText = m.prompt();
      List<ImageBatch> read = new ArrayList<>();
      for (Path p : m.images()) {
        read.add(PngImages.read(p, 1));
      }
      images = ImageBatch.stack(read);
    } else {
      images = PngImages.readFolder(source.input, 28, 28, 1, PngImages.ResizeMode.BILINEAR).images();
    }
    if (images.count() < 2) {
      throw new TesseraException((source.input != null ? source.input : source.manifest) + ": need at least 2 images to evaluate, found "
          + images.count());
    }
    if (promptText != null && PromptLabels.classOf(promptText) < 0) {
      throw new TesseraException("no Fashion-MNIST class name in the prompt '" + promptText + "' (known: " + GenerationScorer.knownClasses() + ")");
    }
    try (PluginRuntime plugins = root.loadPlugins()) {
      Components components = root.components(plugins);
      ModelWeights w = weightsOptions.load(components, model);
      ModelWeights clip = null;
      if (promptText != null && !clipModel.equals("none")) {
        clip = components.shippedWeights(clipModel);
        if (clip == null) {
          throw new TesseraException("model '" + clipModel + "' ships no weights for the CLIP score (use --clip-model none)");
        }
      }
      try (GenerationScorer scorer = new GenerationScorer(components, w, clip, weightsOptions.device, seed)) {
        GenerationScorer.PromptScore s = scorer.score(promptText, images);
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("images", s.images());
        if (s.targetClass() >= 0) {
          o.put("prompt", promptText);
          o.put("target_class", dev.tessera.runtime.data.FashionMnistCaptions.CLASS_PROMPT_NAMES.get(s.targetClass()));
          o.put("conditional_accuracy", round(s.conditionalAccuracy()));
        }
        o.put("reference", s.targetClass() >= 0
            ? "fashion-mnist test images of class " + dev.tessera.runtime.data.FashionMnistCaptions.CLASS_PROMPT_NAMES.get(s.targetClass())
            : "all fashion-mnist test images");
        o.put("fid", round(s.fid()));
        o.put("fid_floor_real_at_n", round(s.fidFloor()));
        o.put("fid_ceiling_noise_at_n", round(s.fidCeiling()));
        if (!Double.isNaN(s.clipScore())) {
          o.put("clip_score", round(s.clipScore()));
        }
        o.put("diversity", round(s.diversity()));
        o.put("diversity_real_at_n", round(s.realDiversity()));
        o.put("near_duplicates", s.nearDuplicates());
        o.put("mode_collapse_warning", s.modeCollapse());
        out.println(json ? new ObjectMapper().writeValueAsString(o) : table(s, o));
        out.flush();
        return 0;
      }
    }
  }

  /** The scores as an aligned two-column table, for people (--json is for scripts). */
  static String table(GenerationScorer.PromptScore s, ObjectNode o) {
    java.util.List<String[]> rows = new java.util.ArrayList<>();
    rows.add(new String[] {"images", Integer.toString(s.images())});
    if (o.has("prompt")) {
      rows.add(new String[] {"prompt", o.get("prompt").asText()});
      rows.add(new String[] {"target class", o.get("target_class").asText()});
      rows.add(new String[] {"conditional accuracy", String.format(java.util.Locale.ROOT, "%.3f", s.conditionalAccuracy())});
    }
    rows.add(new String[] {"FID", String.format(java.util.Locale.ROOT, "%.1f (real images at this n: %.1f; noise: %.1f)", s.fid(), s.fidFloor(),
        s.fidCeiling())});
    rows.add(new String[] {"FID reference", o.get("reference").asText()});
    if (!Double.isNaN(s.clipScore())) {
      rows.add(new String[] {"CLIP score", String.format(java.util.Locale.ROOT, "%.3f", s.clipScore())});
    }
    rows.add(new String[] {"diversity", String.format(java.util.Locale.ROOT, "%.1f (real images at this n: %.1f)", s.diversity(), s.realDiversity())});
    rows.add(new String[] {"near-duplicates", Integer.toString(s.nearDuplicates())});
    rows.add(new String[] {"mode collapse", s.modeCollapse() ? "WARNING: the images are nearly alike" : "no"});
    int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    StringBuilder b = new StringBuilder();
    for (String[] r : rows) {
      b.append(String.format(java.util.Locale.ROOT, "%-" + width + "s  %s%n", r[0], r[1]));
    }
    return b.toString().stripTrailing();
  }

  static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
