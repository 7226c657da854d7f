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
  private final String encoderName;
  private final Tokenizer tokenizer;
  private final IntPredicate known;

  public VocabularyCheck(String encoderName, Tokenizer tokenizer, IntPredicate known) {
    this.encoderName = encoderName;
    this.tokenizer = tokenizer;
    this.known = known;
  }

  /** The check for the text encoder that {@code encoderConfig} (an encoder section: "encoder", "tokenizer") builds. */
  public static VocabularyCheck of(ModelConfig encoderConfig, dev.tessera.api.spi.ComponentLookup components) {
    Encoder encoder = components.encoder(encoderConfig.getString("encoder", "clip"));
    return new VocabularyCheck(encoder.name(), components.tokenizer(encoderConfig.getString("tokenizer", "clip")),
        encoder.knownTokens(encoderConfig));
  }

  /** The prompt's words, lower-cased, in order and without repeats, that have a token the encoder does not know. */
  public List<String> unknownWords(String prompt) {
    Set<String> unknown = new LinkedHashSet<>();
    if (prompt == null) {
      return List.of();
    }
    for (String raw : prompt.split("[\\s|]+")) {
      String word = trim(withoutWeight(raw)).toLowerCase(Locale.ROOT);
      if (word.isEmpty() || unknown.contains(word)) {
        continue;
      }
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
