package dev.tessera.api.pipeline;

import dev.tessera.api.types.ImageBatch;
import java.util.Map;

/**
 * Prompt -> images: the common face of every text-to-image pipeline (diffusion, GAN, VAE,
 * autoregressive codes), so that {@code generate} and {@code compare} treat them alike. The same
 * (prompt, count, seed) gives the same images. Owns a graph and a session: close it.
 */
public interface GenerationPipeline extends AutoCloseable {
  /** The pipeline's name as picked with {@code --pipeline}. */
  String name();

  /** What the manifest records besides prompt and seed: sampler, steps, guidance, weights. */
  Map<String, Object> settings();

  /**
   * @param progress told the number of units done and the total (denoising steps, tokens), may be null
   */
  ImageBatch generate(String prompt, int count, long seed, Progress progress);

  /** One request of {@link #generateAll}: the arguments {@link #generate} would be called with. */
  record Request(String prompt, int count, long seed) {
    /** The images all requests ask for; a count below 1 is an error naming {@code --num-images}. */
    public static int total(java.util.List<Request> requests) {
      int total = 0;
      for (Request r : requests) {
        if (r.count() < 1) {
          throw new dev.tessera.api.TesseraException("--num-images must be positive, got " + r.count());
        }
        total += r.count();
      }
      return total;
    }
  }

  /**
   * Several requests at once, their images in the order of the requests. Each request's images
   * are those {@link #generate}{@code (prompt, count, seed)} gives alone. By default one generate
   * call after another; a pipeline that can share its session runs between requests (a server's
   * dynamic batching) overrides this and {@link #mergesRequests}. Progress counts the merged run's
   * units.
   */
  default java.util.List<ImageBatch> generateAll(java.util.List<Request> requests, Progress progress) {
    java.util.List<ImageBatch> out = new java.util.ArrayList<>();
    long total = requests.size();
    for (Request r : requests) {
      long done = out.size();
      out.add(generate(r.prompt(), r.count(), r.seed(), progress == null ? null : (d, t) -> progress.update(done * t + d, total * t)));
    }
    return out;
  }

  /** Whether {@link #generateAll} runs several requests in shared session runs (false: one after another). */
  default boolean mergesRequests() {
    return false;
  }

  /**
   * What this pipeline cannot follow in a prompt, one line each (for example words its text
   * encoder has no embedding for: {@link VocabularyCheck}). Generation still runs; {@code generate}
   * prints them and records them in the manifest's "warnings". None by default.
   */
  default java.util.List<String> warnings(String prompt) {
    return java.util.List.of();
  }

  /**
   * What the last {@link #generate} call measured beyond the images, recorded at the top level of
   * its manifest (for example a CLIP score before and after an optimisation). Empty by default.
   */
  default Map<String, Object> results() {
    return Map.of();
  }

  /** Parameters of the networks that run at generation time, for size comparisons. */
  long parameterCount();

  /**
   * Wall-clock seconds spent training the weights this pipeline runs (summed over its models, from
   * "training_seconds" in their config.json), or null when not recorded.
   */
  default Double trainingSeconds() {
    return null;
  }

  /** Runs of the same training configuration with other seeds and their scores, or null when not recorded. */
  default TrainingRuns trainingRuns() {
    return null;
  }

  /** "training_seconds" of a weights config, or null. */
  static Double trainingSeconds(dev.tessera.api.io.ModelConfig config) {
    return config.has("training_seconds") ? config.getDouble("training_seconds", 0) : null;
  }

  @Override
  void close();

  /** Progress of one generate call. */
  interface Progress {
    void update(long done, long total);
  }
}
