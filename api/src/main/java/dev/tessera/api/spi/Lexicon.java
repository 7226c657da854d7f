package dev.tessera.api.spi;

import java.util.List;

/**
 * A dictionary of nouns: what a phrase can mean and which broader words take in each meaning. It
 * lets a text encoder read a word it has no embedding for through a broader word it does know
 * ("zori" is a kind of "sandal"): {@link dev.tessera.api.pipeline.UnknownWordReading}. The runtime
 * binds WordNet's nouns when the database is installed ({@code wordnet-base}), else {@link #NONE}.
 */
public interface Lexicon {
  /** The lexicon's name as messages show it ("WordNet"). */
  String name();

  /**
   * The meanings of a noun phrase in common use (lower case, words separated by one space,
   * inflected forms allowed: "zoris"), most common first; where the lexicon counts how often each
   * meaning occurs, those never counted are left out ("cat": the feline, not "a spiteful woman
   * gossip"). Empty when the lexicon does not know the phrase.
   */
  List<Sense> senses(String phrase);

  /** The meanings directly broader than {@code sense} (its hypernyms), in the lexicon's order. */
  List<Sense> broader(Sense sense);

  /**
   * One meaning.
   *
   * @param id the lexicon's own id of it
   * @param words the phrases that name it, lower case ("swallow-tailed coat", "swallowtail")
   * @param gloss its definition
   */
  record Sense(String id, List<String> words, String gloss) {
    public Sense {
      words = List.copyOf(words);
    }
  }

  /** A lexicon that knows no word: unknown words stay unread. */
  Lexicon NONE = new Lexicon() {
    @Override
    public String name() {
      return "none";
    }

    @Override
    public List<Sense> senses(String phrase) {
      return List.of();
    }

    @Override
    public List<Sense> broader(Sense sense) {
      return List.of();
    }
  };
}
