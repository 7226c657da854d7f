package dev.tessera.api.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Captions a text encoder was trained on, and how close to the nearest of them an in-domain
 * prompt comes: a prompt made only of words the encoder knows can still be about something its
 * training never showed ("a photo of a sleeve", "a dark pattern"). Its embedding then lies far from
 * every training caption's, and the pipeline warns, naming the nearest one.
 *
 * <p>Read from the text encoder's config: {@code "known_captions"} (a list of strings, a
 * representative set of the training captions) and {@code "known_caption_floor"} (the cosine
 * similarity below which a prompt is called far: the lowest that prompts of the training domain in
 * unseen phrasings reach, written when the encoder is trained). Encoders without them are not checked.
 */
public record KnownCaptions(List<String> captions, double floor) {
  public static final String CAPTIONS_KEY = "known_captions";
  public static final String FLOOR_KEY = "known_caption_floor";

  public KnownCaptions {
    captions = List.copyOf(captions);
    if (captions.isEmpty()) {
      throw new IllegalArgumentException("no known captions");
    }
    if (!(floor > -1 && floor < 1)) {
      throw new IllegalArgumentException("a cosine floor must lie in (-1, 1), got " + floor);
    }
  }

  /** The known captions of a text encoder config, or null when it has none. */
  public static KnownCaptions of(ModelConfig encoderConfig) {
    JsonNode list = encoderConfig.node(CAPTIONS_KEY);
    if (list == null || list.isNull()) {
      return null;
    }
    if (!list.isArray() || list.isEmpty() || !encoderConfig.has(FLOOR_KEY)) {
      throw new TesseraException(encoderConfig.source() + ": '" + CAPTIONS_KEY + "' must be a non-empty list of strings, with '"
          + FLOOR_KEY + "' beside it");
    }
    List<String> captions = new ArrayList<>();
    for (JsonNode c : list) {
      if (!c.isTextual()) {
        throw new TesseraException(encoderConfig.source() + ": '" + CAPTIONS_KEY + "' holds a non-string: " + c);
      }
      captions.add(c.asText());
    }
    double floor = encoderConfig.getDouble(FLOOR_KEY, 0);
    if (!(floor > -1 && floor < 1)) {
      throw new TesseraException(encoderConfig.source() + ": '" + FLOOR_KEY + "' must lie between -1 and 1, got " + floor);
    }
    return new KnownCaptions(captions, floor);
  }

  /** The known caption nearest a prompt, and their cosine similarity. */
  public record Nearest(String caption, double similarity) {}

  /**
   * The nearest known caption to {@code prompt} (an [E] embedding) among {@code known} ([R, E], the
   * captions' embeddings in order).
   */
  public Nearest nearest(float[] prompt, float[][] known) {
    int best = 0;
    double bestSimilarity = Double.NEGATIVE_INFINITY;
    for (int r = 0; r < known.length; r++) {
      double s = cosine(prompt, known[r]);
      if (s > bestSimilarity) {
        bestSimilarity = s;
        best = r;
      }
    }
    return new Nearest(captions.get(best), bestSimilarity);
  }

  /** The warning line for a prompt whose nearest caption is {@code nearest}, or null when it is close enough. */
  public String warning(String encoderName, Nearest nearest) {
    if (nearest.similarity() >= floor) {
      return null;
    }
    return String.format(Locale.ROOT, "the prompt is far from everything the text encoder '%s' was trained on: the nearest training caption "
        + "is \"%s\" (similarity %.2f, below %.2f), so the images may not follow it", encoderName, nearest.caption(), nearest.similarity(), floor);
  }

  /** The cosine similarity of two vectors (0 when either is zero). */
  public static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }
}
