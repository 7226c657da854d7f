package dev.tessera.api.pipeline;

import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.TokenIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A tiny word-level tokenizer for tests: start 1, end 2, each listed word its own id from 10 on,
 * every other word 99; a hyphenated word is its parts. Its encoder knows the listed words'
 * ids ({@link #check}).
 */
final class WordTokenizer implements Tokenizer {
  static final int UNKNOWN = 99;
  private final Map<String, Integer> ids = new HashMap<>();

  WordTokenizer(List<String> words) {
    for (String w : words) {
      ids.putIfAbsent(w, 10 + ids.size());
    }
  }

  /** The vocabulary check of an encoder named {@code encoder} that knows every listed word (and start and end). */
  VocabularyCheck check(String encoder) {
    Set<Integer> known = new java.util.HashSet<>(ids.values());
    known.add(1);
    known.add(2);
    return new VocabularyCheck(encoder, this, known::contains);
  }

  @Override
  public String name() {
    return "words";
  }

  @Override
  public TokenIds encode(String text) {
    List<Integer> out = new ArrayList<>(List.of(1));
    for (String w : text.toLowerCase(Locale.ROOT).split("[\\s-]+")) {
      if (!w.isEmpty()) {
        out.add(ids.getOrDefault(w.replaceAll("\\p{Punct}", ""), UNKNOWN));
      }
    }
    out.add(2);
    return new TokenIds(out.stream().mapToInt(Integer::intValue).toArray());
  }

  @Override
  public String decode(TokenIds tokens) {
    return tokens.toString();
  }

  @Override
  public int vocabularySize() {
    return 100;
  }

  @Override
  public int contextLength() {
    return 16;
  }
}
