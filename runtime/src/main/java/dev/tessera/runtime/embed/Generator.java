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
    return generate(prompt, count, seed, null);
  }

  /**
   * As {@link #generate(String, int, long)}, telling {@code progress} the units done (denoising steps,
   * tokens, batches) and their total; an exception it throws stops the generation and comes out here.
   */
  public Images generate(String prompt, int count, long seed, GenerationPipeline.Progress progress) {
    COUNT.checkInt(count);
    long start = System.nanoTime();
    ImageBatch images = pipeline.generate(prompt, count, seed, progress);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Images(images, GenerationOutput.Run.of(pipeline, prompt, seed, spec, loadSeconds, seconds));
  }

  /** Whether {@link #generateAll} shares session runs between requests (dynamic batching); false: one after another. */
  public boolean mergesRequests() {
    return pipeline.mergesRequests();
  }

  /**
   * Several requests at once ({@link GenerationPipeline#generateAll}): each request's images equal
   * what {@link #generate} gives it alone; its manifest's time is its share of the run (its images'
   * fraction of the run's seconds).
   */
  public java.util.List<Images> generateAll(java.util.List<GenerationPipeline.Request> requests, GenerationPipeline.Progress progress) {
    int total = 0;
    for (GenerationPipeline.Request r : requests) {
      COUNT.checkInt(r.count());
      total += r.count();
    }
    long start = System.nanoTime();
    java.util.List<ImageBatch> batches = pipeline.generateAll(requests, progress);
    double seconds = (System.nanoTime() - start) / 1e9;
    java.util.List<Images> out = new java.util.ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      GenerationPipeline.Request r = requests.get(i);
      out.add(new Images(batches.get(i), GenerationOutput.Run.of(pipeline, r.prompt(), r.seed(), spec, loadSeconds,
          seconds * r.count() / total)));
    }
    return out;
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
