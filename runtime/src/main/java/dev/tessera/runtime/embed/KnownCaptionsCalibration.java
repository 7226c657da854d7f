package dev.tessera.runtime.embed;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.api.pipeline.KnownCaptions;
import dev.tessera.api.pipeline.VocabularyCheck;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.Embedding;
import dev.tessera.runtime.data.Captioner;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Gives a trained text encoder its {@link KnownCaptions}: a representative set of the captioner's
 * examples that fit the encoder's text length, and as the floor the lowest similarity any of the
 * captioner's probes (in-domain prompts in unseen phrasings) reaches to its nearest kept caption,
 * less {@link #MARGIN}. Every in-domain probe is then "near"; a prompt farther out than all of them
 * is warned about.
 *
 * <p>The set is kept small because every pipeline embeds it when a prompt is first checked: an
 * example is kept only when no caption kept before it is within {@link #COVER} of it (a trained
 * CLIP maps most phrasings of one garment to nearly one point), at most {@link #MAX_KEPT}.
 */
public final class KnownCaptionsCalibration {
  /** Subtracted from the lowest probe similarity, so prompts just past the probes pass too. */
  public static final double MARGIN = 0.05;
  /** An example this close to a kept caption adds nothing. */
  public static final double COVER = 0.99;
  /** The most captions kept. */
  public static final int MAX_KEPT = 256;

  /**
   * What was found: the captions kept, each probe's nearest similarity, the floor, and every word of the
   * captioner's vocabulary (sorted; {@link dev.tessera.api.pipeline.VocabularyCheck#WORDS_KEY}).
   */
  public record Result(List<String> captions, double[] probeSimilarities, double floor, List<String> words) {}

  private KnownCaptionsCalibration() {}

  /** Null when the captioner gives no examples or no probes. */
  public static Result calibrate(EmbeddingPipeline encoder, Tokenizer tokenizer, int textLength, Captioner captions) {
    List<String> examples = new ArrayList<>();
    for (String c : new LinkedHashSet<>(captions.examples())) {
      if (tokenizer.encode(c).length() <= textLength) {
        examples.add(c);
      }
    }
    List<String> probes = captions.probes().stream().filter(p -> tokenizer.encode(p).length() <= textLength).toList();
    if (examples.isEmpty() || probes.isEmpty()) {
      return null;
    }
    Embedding e = encoder.embedTexts(examples);
    List<String> kept = new ArrayList<>();
    List<float[]> keptRows = new ArrayList<>();
    for (int i = 0; i < examples.size() && kept.size() < MAX_KEPT; i++) {
      float[] row = e.row(i);
      if (keptRows.stream().allMatch(k -> KnownCaptions.cosine(row, k) < COVER)) {
        kept.add(examples.get(i));
        keptRows.add(row);
      }
    }
    KnownCaptions known = new KnownCaptions(kept, 0);
    float[][] rows = keptRows.toArray(new float[0][]);
    Embedding p = encoder.embedTexts(probes);
    double[] sims = new double[probes.size()];
    double min = 1;
    for (int i = 0; i < sims.length; i++) {
      sims[i] = known.nearest(p.row(i), rows).similarity();
      min = Math.min(min, sims[i]);
    }
    java.util.SortedSet<String> words = new java.util.TreeSet<>();
    captions.vocabulary().forEach(t -> words.addAll(VocabularyCheck.words(t)));
    return new Result(kept, sims, Math.max(-0.99, min - MARGIN), List.copyOf(words));
  }

  /** {@code config} with the result's captions, floor and caption words. */
  public static ModelConfig apply(ModelConfig config, Result r) {
    return config.with(KnownCaptions.CAPTIONS_KEY, r.captions()).with(KnownCaptions.FLOOR_KEY, Math.round(r.floor() * 1e4) / 1e4)
        .with(VocabularyCheck.WORDS_KEY, r.words());
  }
}
