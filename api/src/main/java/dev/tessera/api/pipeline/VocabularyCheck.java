package dev.tessera.api.pipeline;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.TokenIds;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Which words of a prompt a text encoder has no embedding for. A model trained on a small caption
 * vocabulary (the Fashion-MNIST CLIP knows a few dozen of CLIP's 49,408 token ids) maps every other
 * token to one shared "unknown" row ({@link Encoder#knownTokens}), so "a photo of a cat" reaches it
 * as "a photo of a &lt;unknown&gt;" and draws whatever that row leads to. Generation goes on; the
 * pipeline reports {@link #warnings} and the manifest records them.
 *
 * <p>A word is unknown when any token of its own encoding is: the prompt is split on whitespace and
 * on the weighted-prompt syntax ({@code "a shoe:1|a bag:-0.5"}), punctuation at a word's ends
 * dropped, and each word encoded alone.
 */
public final class VocabularyCheck {
  /** Config key of a text encoder: every word its training captions used (written by {@code train}). */
  public static final String WORDS_KEY = "caption_words";

  private final String encoderName;
  private final Tokenizer tokenizer;
  private final IntPredicate known;
  private final Set<String> seen; // empty: not recorded, every word of known tokens counts as seen

  public VocabularyCheck(String encoderName, Tokenizer tokenizer, IntPredicate known) {
    this(encoderName, tokenizer, known, Set.of());
  }

  /**
   * @param captionWords the words the encoder's training captions used ({@link #WORDS_KEY}); empty when not
   *     recorded. A word of known tokens outside them is one the encoder reads only through its pieces.
   */
  public VocabularyCheck(String encoderName, Tokenizer tokenizer, IntPredicate known, java.util.Collection<String> captionWords) {
    this.encoderName = encoderName;
    this.tokenizer = tokenizer;
    this.known = known;
    this.seen = Set.copyOf(captionWords);
  }

  /** The check for the text encoder that {@code encoderConfig} (an encoder section: "encoder", "tokenizer") builds. */
  public static VocabularyCheck of(ModelConfig encoderConfig, dev.tessera.api.spi.ComponentLookup components) {
    Encoder encoder = components.encoder(encoderConfig.getString("encoder", "clip"));
    return new VocabularyCheck(encoder.name(), components.tokenizer(encoderConfig.getString("tokenizer", "clip")),
        encoder.knownTokens(encoderConfig), captionWords(encoderConfig));
  }

  /** The {@link #WORDS_KEY} of a text encoder config (empty when absent); anything but a list of strings is a one-line error. */
  public static Set<String> captionWords(ModelConfig encoderConfig) {
    com.fasterxml.jackson.databind.JsonNode list = encoderConfig.node(WORDS_KEY);
    if (list == null || list.isNull()) {
      return Set.of();
    }
    Set<String> out = new java.util.HashSet<>();
    if (list.isArray()) {
      for (com.fasterxml.jackson.databind.JsonNode w : list) {
        if (!w.isTextual()) {
          out = null;
          break;
        }
        out.add(w.asText().toLowerCase(Locale.ROOT));
      }
    }
    if (!list.isArray() || out == null) {
      throw new dev.tessera.api.TesseraException(encoderConfig.source() + ": '" + WORDS_KEY + "' must be a list of strings");
    }
    return Set.copyOf(out);
  }

  /** The words of a text as {@link #unknownWords} splits a prompt (lower case, weights and end punctuation dropped), in order, repeats kept. */
  public static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    for (String raw : text.split("[\\s|]+")) {
      String word = trim(withoutWeight(raw)).toLowerCase(Locale.ROOT);
      if (!word.isEmpty()) {
        out.add(word);
      }
    }
    return out;
  }

  /** The prompt's words, lower-cased, in order and without repeats, that have a token the encoder does not know. */
  public List<String> unknownWords(String prompt) {
    Set<String> unknown = new LinkedHashSet<>();
    for (String word : words(prompt)) {
      if (!knows(word)) {
        unknown.add(word);
      }
    }
    return List.copyOf(unknown);
  }

  /** Whether the encoder has an embedding for every token of {@code word} (encoded alone, as {@link #unknownWords} does). */
  public boolean knows(String word) {
    TokenIds ids = tokenizer.encode(word.toLowerCase(Locale.ROOT));
    for (int i = 0; i < ids.length(); i++) {
      if (!known.test(ids.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code word} was in the encoder's training captions (true when they were not recorded). */
  public boolean seen(String word) {
    return seen.isEmpty() || seen.contains(word.toLowerCase(Locale.ROOT));
  }

  /** The prompt's words, lower-cased, in order and without repeats, of tokens the encoder knows but in no caption it was trained on. */
  public List<String> unseenWords(String prompt) {
    Set<String> out = new LinkedHashSet<>();
    for (String word : words(prompt)) {
      if (knows(word) && !seen(word)) {
        out.add(word);
      }
    }
    return List.copyOf(out);
  }

  /** The encoder's name, for messages. */
  public String encoderName() {
    return encoderName;
  }

  /** One line per problem found (none: an empty list), for the console and the manifest's "warnings". */
  public List<String> warnings(String prompt) {
    List<String> words = unknownWords(prompt);
    List<String> out = new ArrayList<>();
    if (!words.isEmpty()) {
      out.add("the text encoder '" + encoderName + "' does not know " + (words.size() == 1 ? "the word " : "the words ")
          + String.join(", ", words.stream().map(w -> "\"" + w + "\"").toList())
          + ": it reads them as one shared unknown token, so the images cannot follow them");
    }
    List<String> unseen = unseenWords(prompt);
    if (!unseen.isEmpty()) {
      out.add("no caption the text encoder '" + encoderName + "' was trained on has " + (unseen.size() == 1 ? "the word " : "the words ")
          + String.join(", ", unseen.stream().map(w -> "\"" + w + "\"").toList())
          + ": it reads them only through their pieces, so the images may not follow them");
    }
    return List.copyOf(out);
  }

  /** "shoe:1" -> "shoe", "bag:-0.5" -> "bag"; a colon not followed by a number stays. */
  private static String withoutWeight(String word) {
    int colon = word.lastIndexOf(':');
    if (colon >= 0) {
      String tail = word.substring(colon + 1);
      if (tail.isEmpty() || tail.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
        return word.substring(0, colon);
      }
    }
    return word;
  }

  /** Without punctuation at either end ("sneaker," -> "sneaker"; "t-shirt" stays). */
  private static String trim(String word) {
    int a = 0;
    int b = word.length();
    while (a < b && !Character.isLetterOrDigit(word.codePointAt(a))) {
      a += Character.charCount(word.codePointAt(a));
    }
    while (b > a && !Character.isLetterOrDigit(word.codePointBefore(b))) {
      b -= Character.charCount(word.codePointBefore(b));
    }
    return word.substring(a, b);
  }
}
