package dev.tessera.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.spi.Lexicon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WordNet as a lexicon: senses in common use, base forms of inflected words, broader senses; choosing it; the real database. */
class WordNetLexiconTest {
  @TempDir Path tmp;

  /** "cat": a feline (tagged) and a gossip (never counted); "goose" with its plural "geese" in noun.exc. */
  private Path tiny() throws Exception {
    Files.writeString(tmp.resolve("data.noun"), String.join("\n",
        "00000010 05 n 01 feline 0 001 ~ 00000100 n 0000 | a cat family member",
        "00000100 05 n 01 cat 0 001 @ 00000010 n 0000 | a small domesticated feline",
        "00000200 18 n 01 cat 0 000 | a spiteful woman gossip",
        "00000300 05 n 01 goose 0 000 | a web-footed bird",
        "00000400 06 n 01 dress 0 000 | a one-piece garment", ""));
    Files.writeString(tmp.resolve("index.noun"), String.join("\n",
        "cat n 2 1 @ 2 1 00000100 00000200  ",
        "feline n 1 1 ~ 1 0 00000010  ",
        "goose n 1 0 1 0 00000300  ",
        "dress n 1 0 1 0 00000400  ", ""));
    Files.writeString(tmp.resolve("noun.exc"), "geese goose\n");
    return tmp;
  }

  @Test
  void sensesInCommonUseBaseFormsAndBroaderSenses() throws Exception {
    WordNetLexicon lexicon = new WordNetLexicon(tiny());
    List<Lexicon.Sense> cat = lexicon.senses("Cat");
    assertEquals(1, cat.size(), "only the sense WordNet counted in its tagged texts");
    assertEquals("a small domesticated feline", cat.get(0).gloss());
    assertEquals(List.of("feline"), lexicon.broader(cat.get(0)).stream().flatMap(s -> s.words().stream()).toList());
    assertEquals("100", lexicon.senses("cats").get(0).id(), "a regular plural");
    assertEquals("a web-footed bird", lexicon.senses("geese").get(0).gloss(), "an irregular plural from noun.exc");
    assertEquals("a one-piece garment", lexicon.senses("dresses").get(0).gloss(), "-es");
    assertEquals(List.of(), lexicon.senses("zibble"));
    assertEquals(List.of("red dresses", "red dress", "red dresse"), lexicon.baseForms("red dresses"), "the last word of a phrase is inflected");
  }

  @Test
  void theEnvironmentChoosesTheLexiconAndABadChoiceIsOneLine() throws Exception {
    assertSame(Lexicon.NONE, Lexicons.chosen("none"));
    assertSame(Lexicon.NONE, Lexicons.chosen(" NONE "));
    assertInstanceOf(WordNetLexicon.class, Lexicons.chosen(tiny().toString()));
    TesseraException e = assertThrows(TesseraException.class, () -> Lexicons.chosen(tmp.resolve("nowhere").toString()));
    assertTrue(e.getMessage().startsWith("TESSERA_LEXICON='" + tmp.resolve("nowhere") + "': no WordNet database in"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    if (WordNetLexicon.installedIn(WordNet.DEBIAN)) {
      assertInstanceOf(WordNetLexicon.class, Lexicons.chosen(null));
      assertInstanceOf(WordNetLexicon.class, Lexicons.chosen("wordnet"));
    } else {
      assertSame(Lexicon.NONE, Lexicons.chosen(null), "without WordNet installed, unknown words simply stay unread");
      assertThrows(TesseraException.class, () -> Lexicons.chosen("wordnet"), "asked for by name: an error");
    }
  }

  @Test
  void theRealWordNetReadsGarmentWordsAndKeepsTheFelineCat() {
    assumeTrue(WordNetLexicon.installedIn(WordNet.DEBIAN), "wordnet-base is not installed");
    WordNetLexicon wn = new WordNetLexicon(WordNet.DEBIAN);
    Lexicon.Sense zori = wn.senses("zoris").get(0);
    assertEquals("a sandal attached to the foot by a thong over the toes", zori.gloss());
    assertTrue(wn.broader(zori).get(0).words().contains("sandal"));
    assertEquals(1, wn.senses("cat").size(), "of cat's eight senses, the one in common use");
    assertTrue(wn.senses("cat").get(0).gloss().contains("feline"), wn.senses("cat").get(0).gloss());
    assertEquals(2, wn.senses("prince albert").size(), "never counted: every sense (the consort and the frock coat)");
  }
}
