package dev.tessera.runtime.embed;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.Components;
import java.nio.file.Path;

/**
 * A pipeline and its settings, not yet built: each {@link #option} returns a new request, so one
 * can be kept and varied. {@link #open} builds it once for many prompts; {@link #generate} builds,
 * generates and closes.
 */
public final class PipelineRequest {
  private final Components components;
  private final ModelConfig keys;
  private final Path base;
  private final String source;

  PipelineRequest(Components components, ModelConfig keys, Path base, String source) {
    this.components = components;
    this.keys = keys;
    this.base = base;
    this.source = source;
  }

  /** A pipeline-file key ({@code "steps"}, {@code "scheduler"}, ...) or a plugin pipeline's option; a number, text or boolean. */
  public PipelineRequest option(String key, Object value) {
    return new PipelineRequest(components, keys.with(key, value instanceof Path p ? p.toAbsolutePath().toString() : value), base, source);
  }

  /** Weights from a folder (config.json + model.safetensors) instead of the shipped ones. */
  public PipelineRequest weights(Path dir) {
    return option("weights", dir);
  }

  /**
   * The settings as checked, before anything is built: an unknown pipeline, an option it does not
   * declare or a bad value fails here.
   */
  public PipelineSpec spec() {
    PipelineSpec spec = PipelineSpec.fromKeys(keys, base, source);
    Pipelines.options(components, spec);
    return spec;
  }

  /** Builds the pipeline (graphs, sessions, weights) to generate many times; close it. */
  public Generator open() {
    PipelineSpec spec = spec();
    long start = System.nanoTime();
    GenerationPipeline p = Pipelines.open(components, spec);
    return new Generator(p, spec, (System.nanoTime() - start) / 1e9);
  }

  /** Builds, generates {@code count} images for {@code prompt} from {@code seed}, and closes. */
  public Images generate(String prompt, int count, long seed) {
    try (Generator g = open()) {
      return g.generate(prompt, count, seed);
    }
  }
}
