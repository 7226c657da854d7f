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
@Command(name = "evaluate", mixinStandardHelpOptions = true,
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

  @Option(names = "--model", defaultValue = "fashion-classifier", description = "Evaluator model. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--clip-model", defaultValue = "clip",
      description = "Model whose shipped weights give the CLIP score (mean cosine of images and prompt); 'none' to skip. Default: ${DEFAULT-VALUE}.")
  String clipModel;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the floor and ceiling samples. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() throws Exception {
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
        out.println(new ObjectMapper().writeValueAsString(o));
        out.flush();
        return 0;
      }
    }
  }

  static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
