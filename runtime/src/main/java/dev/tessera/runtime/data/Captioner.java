package dev.tessera.runtime.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Text for a training example, drawn afresh each time it is used (so a model sees many phrasings
 * of one image). Deterministic given the generator.
 */
@FunctionalInterface
public interface Captioner {
  String caption(Dataset data, int index, SplittableRandom random);

  /**
   * Captions that stand for what this captioner writes (every name in every template, say): the
   * "known captions" a text encoder trained on them keeps, so that prompts far from all of them get a
   * warning ({@link dev.tessera.api.pipeline.KnownCaptions}). None by default.
   */
  default List<String> examples() {
    return List.of();
  }

  /**
   * Texts whose words are every word this captioner can write (its examples by default, which hold
   * every name in every template): the "caption words" a text encoder trained on them keeps
   * ({@link dev.tessera.api.pipeline.VocabularyCheck#WORDS_KEY}), so that a prompt word it never saw
   * is told apart from one it did. A captioner whose examples leave words out overrides it.
   */
  default List<String> vocabulary() {
    return examples();
  }

  /**
   * Prompts of the same domain in phrasings the captioner never writes (held-out templates): how
   * far from the known captions an in-domain prompt may lie. None by default.
   */
  default List<String> probes() {
    return List.of();
  }
}
