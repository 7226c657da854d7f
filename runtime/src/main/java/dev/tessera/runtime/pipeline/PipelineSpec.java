package dev.tessera.runtime.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * Which pipeline to build and how: the command-line flags of {@code generate}, or the same as a
 * small JSON file ({@code --pipeline-file p.json}):
 *
 * <pre>{"pipeline": "clip-diffusion", "weights": "runs/diffusion", "scheduler": "ddim", "steps": 50,
 *  "guidance_scale": 3.0}</pre>
 *
 * Relative weights paths in a file are resolved against the file's folder.
 *
 * @param model the trained model whose weights drive the pipeline (null: the pipeline's default)
 * @param weights folder with config.json + model.safetensors (null: the model's shipped weights)
 */
public record PipelineSpec(String pipeline, String model, Path weights, String device, String scheduler, int steps, float guidanceScale,
    double eta, int batchSize) {
  static final Set<String> KEYS = Set.of("pipeline", "model", "weights", "device", "scheduler", "steps", "guidance_scale", "eta", "batch_size");

  public static PipelineSpec of(String pipeline) {
    DiffusionPipeline.Options d = DiffusionPipeline.Options.defaults();
    return new PipelineSpec(pipeline, null, null, d.device(), d.scheduler(), d.steps(), d.guidanceScale(), d.eta(), d.batchSize());
  }

  public PipelineSpec withWeights(Path w) {
    return new PipelineSpec(pipeline, model, w, device, scheduler, steps, guidanceScale, eta, batchSize);
  }

  public PipelineSpec withSampling(String schedulerName, int n, float scale, double etaValue) {
    return new PipelineSpec(pipeline, model, weights, device, schedulerName, n, scale, etaValue, batchSize);
  }

  public PipelineSpec withDevice(String d) {
    return new PipelineSpec(pipeline, model, weights, d, scheduler, steps, guidanceScale, eta, batchSize);
  }

  public PipelineSpec withBatchSize(int b) {
    return new PipelineSpec(pipeline, model, weights, device, scheduler, steps, guidanceScale, eta, b);
  }

  /** Reads a pipeline file; unknown keys are errors (a typo must not be silently ignored). */
  public static PipelineSpec read(Path file) {
    ModelConfig c = ModelConfig.read(file);
    for (Iterator<String> it = c.keys(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYS.contains(k)) {
        throw new TesseraException(file + ": unknown key '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
      }
    }
    String name = c.getString("pipeline", null);
    if (name == null) {
      throw new TesseraException(file + ": 'pipeline' is missing (e.g. \"pipeline\": \"clip-diffusion\")");
    }
    PipelineSpec d = of(name);
    Path weights = null;
    if (c.has("weights")) {
      JsonNode w = c.node("weights");
      if (!w.isTextual()) {
        throw new TesseraException(file + ": 'weights' must be a folder path, got " + w);
      }
      Path base = file.toAbsolutePath().getParent();
      weights = base.resolve(w.asText()).normalize();
    }
    return new PipelineSpec(name, c.getString("model", null), weights, c.getString("device", d.device()),
        c.getString("scheduler", d.scheduler()), c.getPositiveInt("steps", d.steps()), (float) c.getDouble("guidance_scale", d.guidanceScale()),
        c.getDouble("eta", d.eta()), c.getPositiveInt("batch_size", d.batchSize()));
  }

  DiffusionPipeline.Options diffusionOptions() {
    return new DiffusionPipeline.Options(scheduler, steps, guidanceScale, eta, batchSize, device, DiffusionPipeline.Options.defaults().clipSample());
  }
}
