package dev.tessera.runtime.embed;

import dev.tessera.api.options.NumberOption;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.pipeline.GenerationOutput;
import dev.tessera.runtime.pipeline.PipelineSpec;

/** A built pipeline, warm: generate as often as needed, then close it (it holds TensorFlow sessions). */
public final class Generator implements AutoCloseable {
  static final NumberOption COUNT = NumberOption.integer("count", 1, 100_000, "images per prompt");

  private final GenerationPipeline pipeline;
  private final PipelineSpec spec;
  private final double loadSeconds;

  Generator(GenerationPipeline pipeline, PipelineSpec spec, double loadSeconds) {
    this.pipeline = pipeline;
    this.spec = spec;
    this.loadSeconds = loadSeconds;
  }

  /** The same images as {@code ./tessera generate} gives for this prompt, count, seed and settings. */
  public Images generate(String prompt, int count, long seed) {
    COUNT.checkInt(count);
    long start = System.nanoTime();
    ImageBatch images = pipeline.generate(prompt, count, seed, null);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Images(images, GenerationOutput.Run.of(pipeline, prompt, seed, spec, loadSeconds, seconds));
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
