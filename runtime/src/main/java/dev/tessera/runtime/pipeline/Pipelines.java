package dev.tessera.runtime.pipeline;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.WeightsReference;
import dev.tessera.api.options.Options;
import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.pipeline.PipelineContext;
import dev.tessera.api.pipeline.PipelineProvider;
import dev.tessera.api.pipeline.ReferencedWeights;
import dev.tessera.runtime.plugin.Components;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens a pipeline by name from a {@link PipelineSpec}: every pipeline, the shipped ones included,
 * is a {@link PipelineProvider} a plugin brings. The runtime does what every pipeline shares:
 * checks the options against the pipeline's declarations, chooses and loads the weights, and wraps
 * the pipeline in re-ranking when more than one candidate per image is asked for.
 */
public final class Pipelines {
  private Pipelines() {}

  /**
   * The model a pipeline runs and why: named in the spec, its default, or a fallback because the
   * preferred default is not loaded or ships no weights (the reason says which); model null when
   * only the --weights folder's config.json can say.
   */
  public record ModelChoice(String model, String reason) {}

  /** The pipeline a spec names; an unknown or ambiguous name is an error listing the known ones or the plugins that clash. */
  public static PipelineProvider provider(Components components, String name) {
    return components.pipelines().get(name);
  }

  /** The spec's options, checked against what its pipeline declares, with the pipeline's defaults for the rest. */
  public static Options options(Components components, PipelineSpec spec) {
    return Options.of("pipeline '" + spec.pipeline() + "'", provider(components, spec.pipeline()).options(), spec.options(),
        spec.whereDeclared());
  }

  /** Opens the spec's pipeline for images that are not written to a folder while it runs. */
  public static GenerationPipeline open(Components components, PipelineSpec spec) {
    return open(components, spec, null);
  }

  /**
   * Opens the spec's pipeline; with more than one candidate per image, inside a {@link RerankedPipeline}.
   *
   * @param outputDir the folder the images go to, for files the pipeline writes while it runs (null: none)
   */
  public static GenerationPipeline open(Components components, PipelineSpec spec, Path outputDir) {
    PipelineProvider provider = provider(components, spec.pipeline());
    Options options = options(components, spec); // a bad option fails before anything is loaded
    ModelChoice model = chooseModel(components, spec);
    ModelWeights weights = model == null ? null : weights(components, model.model(), spec);
    String modelName = model == null ? null
        : model.model() != null ? model.model() : weights.config().getString("model", spec.weights().getFileName().toString());
    GenerationPipeline p = provider.open(new PipelineContext(spec.pipeline(), components, weights, modelName,
        model == null ? null : model.reason(), options, spec.device(), spec.batchSize(), spec.weights(), outputDir));
    if (spec.candidates() == 1) {
      return p;
    }
    try {
      String clip = weights == null ? "clip" : weights.config().getString("text_model", "clip");
      ModelWeights clipWeights = components.models().has(WeightsReference.parse(clip).model()) ? components.shippedWeights(clip) : null;
      if (clipWeights == null) {
        throw new TesseraException("re-ranking candidates needs CLIP's image encoder: model '" + clip + "' is not loaded or ships no weights");
      }
      return new RerankedPipeline(p, new EmbeddingPipeline(components, clipWeights, 256, spec.device()), spec.candidates());
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /**
   * The model whose weights a spec runs: its own "model", else the first of the pipeline's default
   * models that is loaded and ships weights, else its last (with --weights, the weights' config says
   * which model they are).
   */
  public static ModelChoice chooseModel(Components components, PipelineSpec spec) {
    List<String> models = provider(components, spec.pipeline()).defaultModels();
    if (spec.model() != null) {
      return new ModelChoice(spec.model(), "named by --model");
    }
    if (models.isEmpty() && spec.weights() == null) {
      return null; // a pipeline that runs no weights
    }
    if (models.isEmpty()) {
      return new ModelChoice(null, "the --weights folder"); // the model its config.json names
    }
    if (spec.weights() != null) {
      return new ModelChoice(models.get(0), "the --weights folder");
    }
    List<String> skipped = new ArrayList<>();
    for (int i = 0; i < models.size() - 1; i++) {
      String m = models.get(i);
      if (!components.models().has(m)) {
        skipped.add("'" + m + "' is not loaded");
      } else if (components.shippedWeights(m) == null) {
        skipped.add("'" + m + "' ships no weights");
      } else {
        break;
      }
    }
    String chosen = models.get(skipped.size());
    return new ModelChoice(chosen, skipped.isEmpty() ? "default" : "default fallback: " + String.join(", ", skipped));
  }

  /** Every pipeline by name with its description and its options, one per line after the description. */
  public static Map<String, String> descriptions(Components components) {
    Map<String, String> out = new LinkedHashMap<>();
    components.pipelines().all().forEach((name, p) -> {
      StringBuilder b = new StringBuilder(p.description());
      p.options().forEach(o -> b.append("\n    ").append(o.describe()));
      out.put(name, b.toString());
    });
    return out;
  }

  /**
   * The --weights folder (its decoder/ when it holds the weights of several models, as a dalle2
   * folder holds prior/ and decoder/), else the model's shipped weights.
   */
  public static ModelWeights weights(Components components, String model, PipelineSpec spec) {
    if (spec.weights() != null) {
      Path decoder = spec.weights().resolve("decoder");
      return ReferencedWeights.complete(ModelWeights.load(Files.isDirectory(decoder) ? decoder : spec.weights()), components);
    }
    return ReferencedWeights.shipped(components, model);
  }
}
