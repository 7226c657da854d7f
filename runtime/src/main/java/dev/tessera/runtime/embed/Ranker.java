package dev.tessera.runtime.embed;

import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.runtime.pipeline.GenerationOutput;
import dev.tessera.runtime.pipeline.RerankedPipeline;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Re-ranking by a CLIP model's image and text towers, as a part of its own: give it any
 * generator's candidates, k per image, and it keeps of each k the one closest to the prompt (what
 * {@code --candidates K} does inside a pipeline). Owns a graph and a session: close it.
 */
public final class Ranker implements AutoCloseable {
  private final EmbeddingPipeline clip;
  private final String model;

  Ranker(EmbeddingPipeline clip, String model) {
    this.clip = clip;
    this.model = model;
  }

  /**
   * The best of each group of {@code k} consecutive candidates; its run's results add the mean
   * CLIP similarity of the first candidate of each group and of the kept ones.
   */
  public Images bestOfEach(Images candidates, String prompt, int k) {
    RerankedPipeline.Ranking ranking = RerankedPipeline.rank(clip, candidates.batch(), prompt, k);
    GenerationOutput.Run run = candidates.run();
    Map<String, Object> settings = new LinkedHashMap<>(run.settings());
    settings.put("candidates", k);
    settings.put("ranked_by", model);
    Map<String, Object> results = new LinkedHashMap<>(run.results());
    results.putAll(ranking.asResults());
    return new Images(candidates.batch().select(ranking.keep()), new GenerationOutput.Run(run.pipeline(), prompt, run.seed(), settings,
        run.weights(), run.parameters(), run.loadSeconds(), run.generateSeconds(), results, run.warnings()));
  }

  @Override
  public void close() {
    clip.close();
  }
}
