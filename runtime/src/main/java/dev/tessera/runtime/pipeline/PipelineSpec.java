package dev.tessera.runtime.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.options.FromFile;
import dev.tessera.api.pipeline.PipelineOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which pipeline to build and how: the command-line flags of {@code generate}, or the same as a
 * small JSON file ({@code --pipeline-file p.json}):
 *
 * <pre>{"pipeline": "clip-diffusion", "weights": "runs/diffusion", "scheduler": "ddim", "steps": 50,
 *  "guidance_scale": 2.0}</pre>
 *
 * The spec holds what every pipeline shares (which pipeline, which weights, the device, the batch
 * size, re-ranking candidates); every other key is one of the pipeline's own options, checked
 * against what the pipeline declares when it is opened ({@code ./tessera pipelines} lists them).
 * Relative paths in a file are resolved against the file's folder.
 *
 * @param model the trained model whose weights drive the pipeline (null: the pipeline's default)
 * @param weights folder with config.json + model.safetensors (null: the model's shipped weights)
 * @param options the pipeline's own options, key to raw value (text, JSON value, Java value); an
 *     undeclared key is an error
 * @param whereDeclared options meant for several pipelines at once ({@code compare --steps 20}):
 *     each is used by a pipeline that declares it and ignored by the others
 */
public record PipelineSpec(String pipeline, String model, Path weights, String device, int batchSize, int candidates,
    Map<String, Object> options, Map<String, Object> whereDeclared) {
  /** The keys of a pipeline file that every pipeline shares; the others are the pipeline's own options. */
  static final Set<String> SHARED_KEYS = Set.of("pipeline", "model", "weights", "device", "batch_size", "candidates");

  public PipelineSpec {
    options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
    whereDeclared = whereDeclared == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(whereDeclared));
    PipelineOptions.BATCH_SIZE.checkInt(batchSize);
    PipelineOptions.CANDIDATES.checkInt(candidates);
  }

  /** A pipeline with the shared defaults (shipped weights, cpu, 50 images per run, no re-ranking) and its own option defaults. */
  public static PipelineSpec of(String pipeline) {
    return new PipelineSpec(pipeline, null, null, "cpu", 50, 1, Map.of(), Map.of());
  }

  public PipelineSpec withWeights(Path w) {
    return new PipelineSpec(pipeline, model, w, device, batchSize, candidates, options, whereDeclared);
  }

  public PipelineSpec withDevice(String d) {
    return new PipelineSpec(pipeline, model, weights, d, batchSize, candidates, options, whereDeclared);
  }

  public PipelineSpec withBatchSize(int b) {
    return new PipelineSpec(pipeline, model, weights, device, b, candidates, options, whereDeclared);
  }

  /** Draw this many candidates per image and keep the one CLIP finds closest to the prompt. */
  public PipelineSpec withCandidates(int k) {
    return new PipelineSpec(pipeline, model, weights, device, batchSize, k, options, whereDeclared);
  }

  /** The trained model whose weights drive the pipeline (null: the pipeline's default). */
  public PipelineSpec withModel(String m) {
    return new PipelineSpec(pipeline, m, weights, device, batchSize, candidates, options, whereDeclared);
  }

  /** One of the pipeline's own options ({@code --option key=value}, {@code --steps 20}), over the file's value. */
  public PipelineSpec withOption(String key, Object value) {
    return withOptions(Map.of(key, value));
  }

  /** Several of the pipeline's own options, over the values given before. */
  public PipelineSpec withOptions(Map<String, ?> more) {
    Map<String, Object> merged = new LinkedHashMap<>(options);
    merged.putAll(more);
    return new PipelineSpec(pipeline, model, weights, device, batchSize, candidates, merged, whereDeclared);
  }

  /** Options used where the pipeline declares them and ignored elsewhere (one flag for every pipeline of a comparison). */
  public PipelineSpec withOptionsWhereDeclared(Map<String, ?> more) {
    Map<String, Object> merged = new LinkedHashMap<>(whereDeclared);
    merged.putAll(more);
    return new PipelineSpec(pipeline, model, weights, device, batchSize, candidates, options, merged);
  }

  /**
   * Which weights a run used, for manifests: the --weights folder, or "shipped" with the model
   * reference when one was given ("shipped clip-diffusion:twemoji"), so a variant is recorded.
   */
  public String weightsDescription() {
    if (weights != null) {
      return weights.toString();
    }
    return model == null ? "shipped" : "shipped " + model;
  }

  /** Reads a pipeline file; keys the pipeline does not take are errors (a typo must not be silently ignored). */
  public static PipelineSpec read(Path file) {
    return fromKeys(ModelConfig.read(file), file.toAbsolutePath().getParent(), file.toString());
  }

  /**
   * A spec from a pipeline file's keys, however they were given (a file, or the Java API's
   * options): the same checks, relative paths resolved against {@code base}, errors prefixed with
   * {@code source}. The pipeline's own keys are checked when it is opened.
   */
  public static PipelineSpec fromKeys(ModelConfig c, Path base, String source) {
    String name = c.getString("pipeline", null);
    if (name == null) {
      throw new TesseraException(source + ": 'pipeline' is missing (e.g. \"pipeline\": \"clip-diffusion\")");
    }
    Map<String, Object> own = new LinkedHashMap<>();
    for (Iterator<String> it = c.keys(); it.hasNext(); ) {
      String k = it.next();
      if (!SHARED_KEYS.contains(k)) {
        own.put(k, new FromFile(c.node(k), base, source));
      }
    }
    PipelineSpec d = of(name);
    try {
      return new PipelineSpec(name, c.getString("model", null), path(base, source, c, "weights"), c.getString("device", d.device()),
          c.getPositiveInt("batch_size", d.batchSize()), c.getPositiveInt("candidates", d.candidates()), own, Map.of());
    } catch (TesseraException e) {
      if (e.getMessage().startsWith(source)) {
        throw e;
      }
      // The range checks ("candidates must be in [1, 64]") do not know which file they read.
      throw new TesseraException(source + ": " + e.getMessage(), e);
    }
  }

  private static Path path(Path base, String source, ModelConfig c, String key) {
    if (!c.has(key)) {
      return null;
    }
    JsonNode w = c.node(key);
    if (!w.isTextual()) {
      throw new TesseraException(source + ": '" + key + "' must be a path, got " + w);
    }
    try {
      return base.resolve(w.asText()).normalize();
    } catch (InvalidPathException e) { // a NUL or an unpaired surrogate
      throw new TesseraException(source + ": '" + key + "' is not a valid path: " + w);
    }
  }
}
