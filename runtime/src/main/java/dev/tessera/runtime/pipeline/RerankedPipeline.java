package dev.tessera.runtime.pipeline;

import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.api.pipeline.TrainingRuns;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.TesseraException;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.ImageBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any pipeline drawing {@code k} candidates per requested image and keeping, of each k, the one
 * CLIP's image embedding finds closest to the prompt's text embedding: DALL-E 2's re-ranking, for
 * every pipeline ({@code --candidates K}, or "candidates" in a pipeline file). The inner pipeline
 * draws all {@code count * k} images with the request's seed, so the kept images are a
 * deterministic choice among deterministic candidates. The manifest's results record the mean
 * CLIP similarity of the first candidate of each group and of the kept one.
 */
public final class RerankedPipeline implements GenerationPipeline {
  private final GenerationPipeline inner;
  private final EmbeddingPipeline clip;
  private final int candidates;
  private Map<String, Object> results = Map.of();

  /** Takes ownership of both: {@link #close} closes them. */
  public RerankedPipeline(GenerationPipeline inner, EmbeddingPipeline clip, int candidates) {
    if (candidates < 2) {
      throw new TesseraException("re-ranking needs at least 2 candidates per image, got " + candidates);
    }
    this.inner = inner;
    this.clip = clip;
    this.candidates = candidates;
  }

  /**
   * Which candidate of each group of k to keep, and the mean CLIP similarity to the prompt of the
   * first candidate of each group and of the kept one.
   */
  public record Ranking(int[] keep, double firstCandidates, double kept) {
    /** As a manifest's results record it. */
    public Map<String, Object> asResults() {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("clip_similarity_first_candidates", firstCandidates);
      r.put("clip_similarity_kept", kept);
      return r;
    }
  }

  /** Ranks {@code all} (groups of {@code k} consecutive candidates) by CLIP similarity to {@code prompt}. */
  public static Ranking rank(EmbeddingPipeline clip, ImageBatch all, String prompt, int k) {
    if (k < 1 || all.count() % k != 0) {
      throw new TesseraException("cannot re-rank " + all.count() + " images in groups of " + k);
    }
    Embedding text = clip.embedTexts(List.of(clip.asRead(prompt))); // "zori" ranked as the generator read it: "sandal"
    Embedding images = clip.embedImagesOfAnySize(all);
    int[] keep = bestOfEach(images, text, k);
    int count = keep.length;
    double first = 0;
    double kept = 0;
    for (int i = 0; i < count; i++) {
      first += images.dot(i * k, text, 0);
      kept += images.dot(keep[i], text, 0);
    }
    return new Ranking(keep, first / count, kept / count);
  }

  /** For each group of k consecutive rows of {@code images}, the index of the row closest to {@code text}'s row 0. */
  public static int[] bestOfEach(Embedding images, Embedding text, int k) {
    int groups = images.count() / k;
    int[] keep = new int[groups];
    for (int i = 0; i < groups; i++) {
      int best = i * k;
      for (int j = i * k + 1; j < (i + 1) * k; j++) {
        if (images.dot(j, text, 0) > images.dot(best, text, 0)) {
          best = j;
        }
      }
      keep[i] = best;
    }
    return keep;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>(inner.settings());
    s.put("candidates", candidates);
    return s;
  }

  @Override
  public ImageBatch generate(String prompt, int count, long seed, Progress progress) {
    if (count < 1) {
      throw new TesseraException("--num-images must be positive, got " + count);
    }
    ImageBatch all = inner.generate(prompt, count * candidates, seed, progress);
    Ranking ranking = rank(clip, all, prompt, candidates);
    Map<String, Object> r = new LinkedHashMap<>(inner.results());
    r.putAll(ranking.asResults());
    results = r;
    return all.select(ranking.keep());
  }

  @Override
  public Map<String, Object> results() {
    return results;
  }

  @Override
  public java.util.List<String> warnings(String prompt) {
    return inner.warnings(prompt);
  }

  /** The inner pipeline's networks; the re-ranking CLIP image tower is not counted (it scores, it does not generate). */
  @Override
  public long parameterCount() {
    return inner.parameterCount();
  }

  @Override
  public Double trainingSeconds() {
    return inner.trainingSeconds();
  }

  @Override
  public TrainingRuns trainingRuns() {
    return inner.trainingRuns();
  }

  @Override
  public void close() {
    try {
      clip.close();
    } finally {
      inner.close();
    }
  }
}
