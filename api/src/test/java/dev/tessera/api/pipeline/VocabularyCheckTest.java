package dev.tessera.api.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Unknown prompt words found with a word-level tokenizer whose encoder knows a few words. */
class VocabularyCheckTest {
  private final VocabularyCheck check = new WordTokenizer(List.of("a", "photo", "of", "sneaker", "bag", "t", "shirt")).check("tiny-clip");

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

  /** With the training captions' words recorded, a word of known tokens that no caption used is named on its own line. */
  @Test
  void wordsOfKnownPiecesThatNoCaptionUsedAreNamed() {
    VocabularyCheck withWords = new VocabularyCheck("tiny-clip", new WordTokenizer(List.of("a", "photo", "of", "sneaker", "bag", "t", "shirt")),
        id -> true, List.of("a", "photo", "of", "sneaker", "bag", "t-shirt"));
    assertEquals(List.of(), withWords.warnings("a photo of a sneaker"));
    assertEquals(List.of("shirt"), withWords.unseenWords("a photo of a shirt, a t-shirt"));
    List<String> w = withWords.warnings("a photo of a shirt");
    assertEquals(List.of("no caption the text encoder 'tiny-clip' was trained on has the word \"shirt\": it reads them only through their pieces,"
        + " so the images may not follow them"), w);
    assertTrue(check.seen("anything"), "not recorded: every word of known tokens counts as seen");
  }

  @Test
  void captionWordsComeFromTheConfigAndAnythingButAListOfStringsIsNamed() {
    assertEquals(java.util.Set.of("a", "coat"),
        VocabularyCheck.captionWords(dev.tessera.api.io.ModelConfig.parse("{\"caption_words\": [\"a\", \"Coat\"]}", "c.json")));
    assertEquals(java.util.Set.of(), VocabularyCheck.captionWords(dev.tessera.api.io.ModelConfig.parse("{}", "c.json")));
    for (String bad : List.of("{\"caption_words\": \"a\"}", "{\"caption_words\": [1]}")) {
      dev.tessera.api.TesseraException e = org.junit.jupiter.api.Assertions.assertThrows(dev.tessera.api.TesseraException.class,
          () -> VocabularyCheck.captionWords(dev.tessera.api.io.ModelConfig.parse(bad, "c.json")));
      assertEquals("c.json: 'caption_words' must be a list of strings", e.getMessage());
    }
    assertEquals(List.of("a", "sneaker", "a", "bag", "time:noon"), VocabularyCheck.words("A sneaker:1.5 | a bag:-0.3 | time:noon,"));
  }
}
