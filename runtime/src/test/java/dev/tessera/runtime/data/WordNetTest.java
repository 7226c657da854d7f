package dev.tessera.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.TesseraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WordNet's noun files: a tiny database in its format, malformed files, and the real one Debian ships. */
class WordNetTest {
  @TempDir Path tmp;

  /** coat (00000100) with hypernym garment (00000010) and hyponyms parka (00000200) and trench coat (00000300). */
  private Path tiny() throws Exception {
    Files.writeString(tmp.resolve("data.noun"), String.join("\n",
        "  1 This software and database is being provided to you, the LICENSEE, by",
        "00000010 06 n 01 garment 0 001 ~ 00000100 n 0000 | an article of clothing",
        "00000100 06 n 01 coat 0 003 @ 00000010 n 0000 ~ 00000200 n 0000 ~ 00000300 n 0000 | an outer garment that has sleeves; \"a warm coat\"",
        "00000200 06 n 02 parka 0 anorak 0 001 @ 00000100 n 0000 | a kind of heavy jacket",
        "00000300 06 n 01 trench_coat 0 001 @ 00000100 n 0000 | a military style raincoat", ""));
    Files.writeString(tmp.resolve("index.noun"), String.join("\n",
        "  1 This software and database is being provided to you, the LICENSEE, by",
        "coat n 1 2 @ ~ 1 0 00000100  ",
        "garment n 1 1 ~ 1 0 00000010  ",
        "parka n 1 1 @ 1 0 00000200  ",
        "trench_coat n 1 1 @ 1 0 00000300  ", ""));
    return tmp;
  }

  @Test
  void readsSynsetsLemmasGlossesAndRelations() throws Exception {
    WordNet wn = WordNet.load(tiny());
    assertEquals(4, wn.size());
    WordNet.Synset coat = wn.synset(100);
    assertEquals(List.of("coat"), coat.lemmas());
    assertEquals("an outer garment that has sleeves", coat.gloss(), "example sentences are cut off");
    assertEquals(List.of(10L), coat.hypernyms());
    assertEquals(List.of(200L, 300L), coat.hyponyms());
    assertEquals(List.of("parka", "anorak"), wn.synset(200).lemmas());
    assertEquals(List.of("trench coat"), wn.synset(300).lemmas(), "underscores are spaces");
    assertEquals(List.of(100L, 200L, 300L), wn.hyponyms(10, 2).stream().map(WordNet.Synset::offset).toList());
    assertEquals(1, wn.hyponyms(10, 1).size());
    assertEquals(List.of(100L), wn.hyponyms(10, 2, java.util.Set.of(200L, 300L)).stream().map(WordNet.Synset::offset).toList(), "excluded synsets are left out");
    assertEquals(List.of(), wn.hyponyms(10, 2, java.util.Set.of(100L)), "and what lies below them");
    assertEquals(List.of(300L), wn.senses("Trench Coat"));
    assertEquals(List.of(), wn.senses("cardigan"));
  }

  @Test
  void malformedOrMissingFilesAreOneLineErrors() throws Exception {
    TesseraException none = assertThrows(TesseraException.class, () -> WordNet.load(tmp.resolve("nowhere")));
    assertTrue(none.getMessage().contains("apt-get install wordnet-base"), none.getMessage());
    tiny();
    Files.writeString(tmp.resolve("data.noun"), "00000010 06 n zz garment 0 000 | clothing\n");
    TesseraException bad = assertThrows(TesseraException.class, () -> WordNet.load(tmp));
    assertTrue(bad.getMessage().contains("data.noun line 1: not a WordNet synset"), bad.getMessage());
    Files.writeString(tmp.resolve("data.noun"), "00000010 06 v 01 wear 0 000 | to have on\n");
    assertTrue(assertThrows(TesseraException.class, () -> WordNet.load(tmp)).getMessage().contains("expected n"));
    Files.writeString(tmp.resolve("data.noun"), "00000010 06 n 02 garment 0 000 | clothing\n"); // says two words, has one
    assertThrows(TesseraException.class, () -> WordNet.load(tmp));
    tiny();
    TesseraException missing = assertThrows(TesseraException.class, () -> WordNet.load(tmp).synset(999));
    assertTrue(missing.getMessage().endsWith("has no noun synset at offset 00000999"), missing.getMessage());
  }

  @Test
  void theFashionMnistClassesInDebiansWordNet() {
    assumeTrue(Files.isRegularFile(WordNet.DEBIAN.resolve("data.noun")), "wordnet-base is not installed");
    List<FashionMnistLexicon.ClassWords> classes = FashionMnistLexicon.build(WordNet.debian());
    assertEquals(10, classes.size());
    for (int c = 0; c < 10; c++) {
      FashionMnistLexicon.ClassWords w = classes.get(c);
      assertEquals(FashionMnistCaptions.CLASS_PROMPT_NAMES.get(c), w.names().get(0), "the data set's class name comes first and is never held out");
      assertFalse(w.glosses().isEmpty());
      assertEquals(FashionMnistCaptions.CLASS_PROMPT_NAMES.get(c), w.core().get(0), "the class name is a core word");
      assertTrue(w.core().containsAll(FashionMnistCaptions.SYNONYMS.get(c)),
          "the hand-written synonyms are core words, never held out: " + w.core());
      for (String held : w.heldOut()) {
        assertTrue(FashionMnistLexicon.heldOut(held));
        for (FashionMnistLexicon.ClassWords other : classes) {
          assertFalse(other.names().contains(held), held + " is held out and also a training name");
        }
      }
    }
    FashionMnistLexicon.ClassWords coat = classes.get(4);
    assertTrue(coat.names().contains("raincoat") || coat.heldOut().contains("raincoat"), coat.toString());
    assertTrue(coat.heldOut().contains("trench coat"), "held out by its hash: " + coat.heldOut());
    assertTrue(classes.get(2).names().contains("pullover"), "a chosen synset's lemma is never held out");
    assertTrue(classes.get(2).names().contains("cardigan"), classes.get(2).toString());
    assertFalse(classes.get(1).names().contains("white"), "a rare sense of a common word is not a garment name");
    assertFalse(classes.get(0).names().contains("turtleneck") || classes.get(2).names().contains("turtleneck"), "a word of two classes names neither");
    assertFalse(classes.get(6).names().contains("t-shirt"), "the t-shirt synset is the t-shirt class's, not the shirt's");
    int held = 0;
    int all = 0;
    for (FashionMnistLexicon.ClassWords w : classes) {
      held += w.heldOut().size();
      all += w.heldOut().size() + w.names().size();
    }
    assertTrue(held >= 30 && held < all / 3, held + " of " + all + " words held out");
  }

  @Test
  void noDefinitionUsedAsACaptionNamesAHeldOutWord() {
    assumeTrue(Files.isRegularFile(WordNet.DEBIAN.resolve("data.noun")), "wordnet-base is not installed");
    WordNet wordnet = WordNet.debian();
    List<FashionMnistLexicon.ClassWords> classes = FashionMnistLexicon.build(wordnet);
    java.util.Set<String> heldOut = new java.util.HashSet<>();
    classes.forEach(w -> heldOut.addAll(w.heldOut()));
    assertTrue(heldOut.containsAll(List.of("pyjama", "windcheater")), heldOut.toString());
    for (FashionMnistLexicon.ClassWords w : classes) {
      for (String gloss : w.glosses()) {
        String words = " " + gloss.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9'-]+", " ").replaceAll("(^| )'|'( |$)", " ") + " ";
        for (String word : heldOut) {
          assertFalse(words.contains(" " + word + " ") || words.contains(" " + word + "s "), word + " in the definition " + gloss);
        }
      }
    }
    String kurta = wordnet.synset(wordnet.senses("kurta").get(0)).gloss();
    assertTrue(kurta.contains("pyjama"), kurta);
    assertFalse(classes.stream().anyMatch(w -> w.glosses().contains(kurta)), "kurta's definition names pyjama, held out");
    assertTrue(FashionMnistLexicon.build(wordnet, false).stream().anyMatch(w -> w.glosses().contains(kurta)),
        "the captions clip:wordnet was trained with kept it");
  }

  @Test
  void aTextNamesAWordAsAWholeWordOrPhraseSingularOrPlural() {
    java.util.Set<String> words = java.util.Set.of("pyjama", "windcheater", "mac", "trench coat");
    assertFalse(FashionMnistLexicon.namesNoneOf("a long loose collarless shirt; worn with churidars or pyjama", words));
    assertFalse(FashionMnistLexicon.namesNoneOf("`windcheater' is a British term", words));
    assertFalse(FashionMnistLexicon.namesNoneOf("worn over pyjamas", words));
    assertFalse(FashionMnistLexicon.namesNoneOf("two Trench Coats", words));
    assertTrue(FashionMnistLexicon.namesNoneOf("a macintosh or a trench", words), "a word inside another word is not named");
    assertTrue(FashionMnistLexicon.namesNoneOf("an outer garment", words));
  }

  /**
   * benchmarks/open-vocabulary/held-out-words.txt, the prompts that measure generation from garment
   * words no caption used, is the lexicon's: {@code -Dtessera.updateDocs=true} rewrites it.
   */
  @Test
  void theHeldOutWordsPromptsFileIsTheLexicons() throws Exception {
    assumeTrue(Files.isRegularFile(WordNet.DEBIAN.resolve("data.noun")), "wordnet-base is not installed");
    List<FashionMnistLexicon.ClassWords> classes = FashionMnistLexicon.build(WordNet.debian());
    StringBuilder expected = new StringBuilder("# Generated by WordNetTest from FashionMnistLexicon: \"a photo of a WORD => CLASS\" for every\n"
        + "# held-out WordNet word (one no training caption uses). Used by benchmarks/open-vocabulary/run.\n");
    for (int c = 0; c < classes.size(); c++) {
      for (String word : classes.get(c).heldOut()) {
        expected.append("a photo of a ").append(word).append(" => ").append(FashionMnistCaptions.CLASS_PROMPT_NAMES.get(c)).append('\n');
      }
    }
    Path file = Path.of("..", "benchmarks", "open-vocabulary", "held-out-words.txt");
    String actual = Files.isRegularFile(file) ? Files.readString(file) : "";
    if (!expected.toString().equals(actual) && Boolean.getBoolean("tessera.updateDocs")) {
      Files.writeString(file, expected);
      actual = expected.toString();
    }
    assertEquals(expected.toString(), actual, file + " is out of date: run this test with -Dtessera.updateDocs=true");
  }
}
