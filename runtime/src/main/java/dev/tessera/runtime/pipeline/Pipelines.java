package dev.tessera.runtime.pipeline;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.runtime.plugin.Components;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The generation pipelines by name, each a composition of plugin components driven by one trained
 * model's weights. {@link #open} builds one from a {@link PipelineSpec}.
 */
public final class Pipelines {
  /** Pipeline name -> the model whose weights it runs by default, and how it is composed. */
  private static final Map<String, Entry> KNOWN = new LinkedHashMap<>();

  private record Entry(String defaultModel, String description, Factory factory) {}

  @FunctionalInterface
  private interface Factory {
    GenerationPipeline open(String name, Components components, ModelWeights weights, PipelineSpec spec);
  }

  static {
    KNOWN.put("clip-diffusion", new Entry("clip-diffusion", "CLIP text embedding -> diffusion U-Net under a scheduler, classifier-free guidance",
        (name, components, weights, spec) -> new DiffusionPipeline(name, components, weights, spec.diffusionOptions())));
    KNOWN.put("clip-vae", new Entry("clip-vae", "CLIP text embedding + z ~ N(0, I) -> conditional VAE decoder, one pass",
        (name, components, weights, spec) -> new LatentPipeline(name, components, weights, spec)));
    KNOWN.put("dalle2", new Entry("dalle2-decoder", "CLIP text embedding -> diffusion prior -> CLIP image embedding -> diffusion decoder",
        (name, components, weights, spec) -> new Dalle2Pipeline(name, components, priorWeights(components, spec), weights, spec)));
    KNOWN.put("vqgan-transformer", new Entry("gpt", "CLIP text embedding -> transformer prior samples a code grid -> VQ autoencoder decodes it",
        (name, components, weights, spec) -> new CodePriorPipeline(name, components, weights, spec)));
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
   * at n = 1,000; dalle2 3: accuracy 0.836 where 2 gave 0.733).
   */
  public static float defaultGuidanceScale(String pipeline) {
    return pipeline.equals("dalle2") ? 3f : DiffusionPipeline.Options.defaults().guidanceScale();
  }

  public static Map<String, String> descriptions() {
    Map<String, String> out = new LinkedHashMap<>();
    KNOWN.forEach((k, v) -> out.put(k, v.description()));
    return out;
  }

  public static GenerationPipeline open(Components components, PipelineSpec spec) {
    String model = defaultModel(spec);
    return KNOWN.get(spec.pipeline()).factory().open(spec.pipeline(), components, weights(components, model, spec), spec);
  }

  /** The model whose weights a spec runs: its own "model", else the pipeline's default. */
  public static String defaultModel(PipelineSpec spec) {
    Entry e = KNOWN.get(spec.pipeline());
    if (e == null) {
      throw new TesseraException("unknown pipeline '" + spec.pipeline() + "' (known: " + String.join(", ", KNOWN.keySet()) + ")");
    }
    return spec.model() != null ? spec.model() : e.defaultModel();
  }

  /** The --weights folder, else the model's shipped weights. */
  public static ModelWeights weights(Components components, String model, PipelineSpec spec) {
    if (spec.weights() != null) {
      Path decoder = spec.weights().resolve("decoder");
      return ReferencedWeights.complete(ModelWeights.load(java.nio.file.Files.isDirectory(decoder) ? decoder : spec.weights()), components);
    }
    TrainableModel m = components.model(model);
    ModelWeights shipped = m.shippedWeights();
    if (shipped == null) {
      throw new TesseraException("model '" + model + "' ships no weights: train it (./tessera train " + model
          + " --out DIR) and pass --weights DIR");
    }
    return ReferencedWeights.complete(shipped, components);
  }
}
