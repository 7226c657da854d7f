package dev.tessera.runtime.pipeline;

import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.WeightsReference;
import dev.tessera.api.options.Options;
import dev.tessera.api.pipeline.PipelineContext;
import dev.tessera.api.pipeline.PipelineProvider;
import dev.tessera.runtime.plugin.Components;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The generation pipelines by name, each a composition of plugin components driven by one trained
 * model's weights. {@link #open} builds one from a {@link PipelineSpec}.
 */
public final class Pipelines {
  /** Pipeline name -> the model whose weights it runs by default, and how it is composed. */
  private static final Map<String, Entry> KNOWN = new LinkedHashMap<>();

  /**
   * @param defaultModels the models whose weights it runs when none is named, in order of
   *     preference: the first that is loaded and ships weights (the last one otherwise)
   */
  private record Entry(List<String> defaultModels, String description, Factory factory) {
    Entry(String defaultModel, String description, Factory factory) {
      this(List.of(defaultModel), description, factory);
    }
  }

  @FunctionalInterface
  private interface Factory {
    GenerationPipeline open(String name, Components components, ModelWeights weights, PipelineSpec spec, ModelChoice model);
  }

  /**
   * The model a pipeline runs and why: named in the spec, its default, or a fallback because the
   * preferred default is not loaded or ships no weights (the reason says which).
   */
  public record ModelChoice(String model, String reason) {
    public Map<String, Object> asSettings() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("model", model);
      s.put("model_choice", reason);
      return s;
    }
  }

  static {
    KNOWN.put("clip-diffusion", new Entry("clip-diffusion", "CLIP text embedding -> diffusion U-Net under a scheduler, classifier-free guidance",
        (name, components, weights, spec, model) -> new DiffusionPipeline(name, components, weights, spec.diffusionOptions())));
    KNOWN.put("clip-vae", new Entry("clip-vae", "CLIP text embedding + z ~ N(0, I) -> conditional VAE decoder, one pass",
        (name, components, weights, spec, model) -> new LatentPipeline(name, components, weights, spec)));
    KNOWN.put("clip-gan", new Entry("clip-gan", "CLIP text embedding + z ~ N(0, I) -> GAN generator (weight average), one pass",
        (name, components, weights, spec, model) -> new LatentPipeline(name, components, weights, spec)));
    KNOWN.put("dalle2", new Entry("dalle2-decoder", "CLIP text embedding -> diffusion prior -> CLIP image embedding -> diffusion decoder",
        (name, components, weights, spec, model) -> new Dalle2Pipeline(name, components, priorWeights(components, spec), weights, spec)));
    KNOWN.put("vqgan-transformer", new Entry("gpt", "CLIP text embedding -> transformer prior samples a code grid -> VQ autoencoder decodes it",
        (name, components, weights, spec, model) -> new CodePriorPipeline(name, components, weights, spec)));
    KNOWN.put("vqgan-clip", new Entry(List.of("vqgan", "vqvae"),
        "latent code grid optimised by Adam so the decoded image maximises CLIP similarity to a weighted prompt (VQGAN-CLIP)",
        (name, components, weights, spec, model) -> new VqganClipPipeline(name, components, weights, spec, model)));
  }

  /**
   * DALL-E 2's prior weights: --prior-weights, else DIR/prior when the weights folder DIR holds
   * prior/ and decoder/, else the shipped ones.
   */
  private static ModelWeights priorWeights(Components components, PipelineSpec spec) {
    if (spec.priorWeights() != null) {
      return ReferencedWeights.complete(ModelWeights.load(spec.priorWeights()), components);
    }
    if (spec.weights() != null && java.nio.file.Files.isDirectory(spec.weights().resolve("prior"))) {
      return ReferencedWeights.complete(ModelWeights.load(spec.weights().resolve("prior")), components);
    }
    return weights(components, "dalle2-prior", spec.withWeights(null));
  }

  private Pipelines() {}

  /**
   * The classifier-free guidance scale a pipeline runs at unless told otherwise: the scale its
   * shipped weights were measured best at (clip-diffusion 2: accuracy 0.920 and FID 2.9x the floor
   * at n = 1,000; dalle2 3: accuracy 0.836 where 2 gave 0.733; vqgan-transformer 1.5).
   */
  public static float defaultGuidanceScale(String pipeline) {
    return switch (pipeline) {
      case "dalle2" -> 3f;
      case "vqgan-transformer" -> 1.5f; // n = 1,000: accuracy 0.939, FID 2.1x the floor (1: 0.837, 1.7x; 2: 0.973, 2.9x)
      default -> DiffusionPipeline.Options.defaults().guidanceScale();
    };
  }

  /** Whether {@code name} is one of the runtime's own pipelines (not one a plugin brings). */
  public static boolean isBuiltIn(String name) {
    return KNOWN.containsKey(name);
  }

  public static Map<String, String> descriptions() {
    Map<String, String> out = new LinkedHashMap<>();
    KNOWN.forEach((k, v) -> out.put(k, v.description()));
    return out;
  }

  /** Opens the spec's pipeline; with more than one candidate per image, inside a {@link RerankedPipeline}. */
  public static GenerationPipeline open(Components components, PipelineSpec spec) {
    if (spec.candidates() < 1) {
      throw new TesseraException("--candidates must be positive, got " + spec.candidates());
    }
    if (isBuiltIn(spec.pipeline()) && !spec.options().isEmpty()) {
      throw new TesseraException("pipeline '" + spec.pipeline() + "' has no option '" + spec.options().keySet().iterator().next()
          + "': its settings are the flags of generate (--steps, --guidance-scale, ...) and the keys of a pipeline file");
    }
    ModelChoice model = chooseModel(components, spec);
    ModelWeights weights = model == null ? null : weights(components, model.model(), spec);
    GenerationPipeline p;
    if (isBuiltIn(spec.pipeline())) {
      p = KNOWN.get(spec.pipeline()).factory().open(spec.pipeline(), components, weights, spec, model);
    } else {
      PipelineProvider provider = components.pipelines().get(spec.pipeline());
      Options options = Options.of("pipeline '" + spec.pipeline() + "'", provider.options(), spec.options());
      p = provider.open(new PipelineContext(spec.pipeline(), components, weights, model == null ? null : model.model(),
          model == null ? null : model.reason(), options, spec.device(), spec.batchSize()));
    }
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
    List<String> models = defaultModels(components, spec.pipeline());
    if (spec.model() != null) {
      return new ModelChoice(spec.model(), "named by --model");
    }
    if (models.isEmpty() && spec.weights() == null) {
      return null; // a plugin's pipeline that runs no weights
    }
    if (models.isEmpty()) {
      return new ModelChoice(spec.weights().toString(), "the --weights folder");
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

  /** The models a pipeline runs by default: the runtime's own table, or what a plugin's pipeline declares. */
  private static List<String> defaultModels(Components components, String pipeline) {
    Entry e = KNOWN.get(pipeline);
    if (e != null) {
      return e.defaultModels();
    }
    if (components.pipelines().has(pipeline)) {
      return components.pipelines().get(pipeline).defaultModels();
    }
    List<String> known = new ArrayList<>(KNOWN.keySet());
    known.addAll(components.pipelines().all().keySet());
    throw new TesseraException("unknown pipeline '" + pipeline + "' (known: " + String.join(", ", known) + ")");
  }

  /**
   * Every pipeline by name with its description: the runtime's own, then those plugins bring (with
   * their options, one per line after the description).
   */
  public static Map<String, String> descriptions(Components components) {
    Map<String, String> out = descriptions();
    components.pipelines().all().forEach((name, p) -> {
      StringBuilder b = new StringBuilder(p.description());
      p.options().forEach(o -> b.append("\n    ").append(o.describe()));
      out.putIfAbsent(name, b.toString());
    });
    return out;
  }

  /** The --weights folder, else the model's shipped weights. */
  public static ModelWeights weights(Components components, String model, PipelineSpec spec) {
    if (spec.weights() != null) {
      Path decoder = spec.weights().resolve("decoder");
      return ReferencedWeights.complete(ModelWeights.load(java.nio.file.Files.isDirectory(decoder) ? decoder : spec.weights()), components);
    }
    return ReferencedWeights.complete(requireShipped(components, model), components);
  }

  /** The shipped weights a reference ("clip", "clip:twemoji") names; a clear error when its model ships none. */
  public static ModelWeights requireShipped(dev.tessera.api.spi.ComponentLookup components, String reference) {
    ModelWeights shipped = components.shippedWeights(reference);
    if (shipped == null) {
      String model = WeightsReference.parse(reference).model();
      throw new TesseraException("model '" + model + "' ships no weights: train it (./tessera train " + model
          + " --out DIR) and pass --weights DIR");
    }
    return shipped;
  }
}
