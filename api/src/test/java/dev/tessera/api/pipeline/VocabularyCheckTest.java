package dev.tessera.api.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.TokenIds;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Unknown prompt words found with a word-level tokenizer whose encoder knows a few ids. */
class VocabularyCheckTest {
  /** Start 1, end 2, known words their ids, every other word id 99 (or, with a '-', two ids: its parts'). */
  private static final Map<String, Integer> WORDS = Map.of("a", 10, "photo", 11, "of", 12, "sneaker", 13, "bag", 14, "t", 15, "shirt", 16);

  private static final Tokenizer WORD_TOKENIZER = new Tokenizer() {
    @Override
    public String name() {
      return "words";
    }

    @Override
    public TokenIds encode(String text) {
      List<Integer> ids = new java.util.ArrayList<>(List.of(1));
      for (String w : text.toLowerCase(java.util.Locale.ROOT).split("[\\s-]+")) {
        if (!w.isEmpty()) {
          ids.add(WORDS.getOrDefault(w.replaceAll("\\p{Punct}", ""), 99));
        }
      }
      ids.add(2);
      return new TokenIds(ids.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public String decode(TokenIds ids) {
      return ids.toString();
    }

    @Override
    public int vocabularySize() {
      return 100;
    }

    @Override
    public int contextLength() {
      return 16;
    }
  };

  private static final Set<Integer> KNOWN = Set.of(1, 2, 10, 11, 12, 13, 14, 15, 16);
  private final VocabularyCheck check = new VocabularyCheck("tiny-clip", WORD_TOKENIZER, KNOWN::contains);

  @Test
  void aPromptOfKnownWordsHasNoWarning() {
    assertEquals(List.of(), check.unknownWords("a photo of a sneaker"));
    assertEquals(List.of(), check.warnings("A Photo of a SNEAKER."));
    assertEquals(List.of(), check.warnings("a t-shirt"), "a hyphenated word of known parts");
  }

  @Test
  void unknownWordsAreNamedOnceInOrder() {
    assertEquals(List.of("cat", "zori"), check.unknownWords("a photo of a cat, a zori, a cat"));
    List<String> w = check.warnings("a photo of a cat");
    assertEquals(1, w.size());
    assertTrue(w.get(0).contains("'tiny-clip' does not know the word \"cat\""), w.get(0));
    assertFalse(w.get(0).contains("\n"), "one line");
    assertTrue(check.warnings("a zori, a cat").get(0).contains("the words \"zori\", \"cat\""), check.warnings("a zori, a cat").get(0));
  }

  @Test
  void weightedPromptsAreReadPartByPart() {
    assertEquals(List.of(), check.unknownWords("a photo of a sneaker:1|a photo of a bag:-0.3"));
    assertEquals(List.of("cat"), check.unknownWords("a sneaker:1.5 | a cat:-1e-1"));
    assertEquals(List.of("time:noon"), check.unknownWords("a bag of time:noon"), "a colon not followed by a weight stays in the word");
  }

  @Test
  void emptyAndPunctuationOnlyPromptsHaveNoWords() {
    assertEquals(List.of(), check.unknownWords(""));
    assertEquals(List.of(), check.unknownWords(null));
    assertEquals(List.of(), check.unknownWords(" ... | !! "));
  }
}
