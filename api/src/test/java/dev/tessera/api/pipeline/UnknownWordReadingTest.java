package dev.tessera.api.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tessera.api.spi.Lexicon;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Unknown words read through a tiny lexicon into the words of a tiny garment encoder's captions:
 * the nearest broader word, the longest phrase, the meaning that reaches the encoder's world, the
 * article, weighted prompts, and what stays unread.
 */
class UnknownWordReadingTest {
  private static final List<String> CAPTIONS = List.of("a photo of a sandal", "a photo of a coat", "a photo of an overcoat",
      "a photo of a bag", "a photo of a dress", "a photo of a dark coat");
  private static final WordTokenizer TOKENIZER = new WordTokenizer(
      List.of("a", "an", "photo", "of", "sandal", "coat", "overcoat", "bag", "dress", "dark", "snapshot", "two"));

  /** A lexicon of a few meanings: id -> (words, gloss, broader ids). */
  private static final class TinyLexicon implements Lexicon {
    private final Map<String, Sense> byId = new HashMap<>();
    private final Map<String, List<String>> up = new HashMap<>();
    private final Map<String, List<Sense>> byPhrase = new HashMap<>();

    TinyLexicon add(String id, List<String> words, String gloss, String... broader) {
      Sense s = new Sense(id, words, gloss);
      byId.put(id, s);
      up.put(id, List.of(broader));
      for (String w : words) {
        byPhrase.computeIfAbsent(w, k -> new java.util.ArrayList<>()).add(s);
      }
      return this;
    }

    @Override
    public String name() {
      return "Tiny";
    }

    @Override
    public List<Sense> senses(String phrase) {
      return byPhrase.getOrDefault(phrase, List.of());
    }

    @Override
    public List<Sense> broader(Sense sense) {
      return up.get(sense.id()).stream().map(byId::get).toList();
    }
  }

  private static final Lexicon LEXICON = new TinyLexicon()
      .add("sandal", List.of("sandal"), "a shoe held on by straps", "footwear")
      .add("footwear", List.of("footwear"), "covering for the feet", "clothing")
      .add("clothing", List.of("clothing", "photo"), "things worn", "artifact") // "photo": no caption ends with it, never a reading
      .add("artifact", List.of("artifact"), "a made thing")
      .add("zori", List.of("zori"), "a sandal attached by a thong", "sandal")
      .add("coat", List.of("coat"), "an outer garment", "clothing")
      .add("overcoat", List.of("overcoat", "greatcoat"), "a heavy coat", "coat")
      .add("ulster", List.of("ulster"), "a long loose overcoat", "overcoat")
      .add("anorak", List.of("anorak", "parka"), "a hooded jacket", "jacket")
      .add("jacket", List.of("jacket"), "a short coat", "coat")
      .add("trench", List.of("trench"), "a long ditch", "excavation")
      .add("excavation", List.of("excavation"), "a hole in the ground")
      .add("trench coat", List.of("trench coat"), "a belted raincoat", "coat")
      .add("albert", List.of("prince albert"), "a prince consort", "prince")
      .add("prince", List.of("prince"), "a son of a king", "aristocrat")
      .add("aristocrat", List.of("aristocrat"), "a member of the nobility")
      .add("frock coat", List.of("prince albert", "frock coat"), "a double-breasted coat", "coat")
      .add("cat", List.of("cat"), "a feline", "feline")
      .add("feline", List.of("feline"), "a cat family member", "carnivore")
      .add("carnivore", List.of("carnivore"), "a meat eater", "mammal")
      .add("mammal", List.of("mammal"), "a warm-blooded animal", "animal")
      .add("animal", List.of("animal"), "a living thing", "bag") // five steps up: too far
      .add("bag", List.of("bag"), "a container")
      .add("polaroid", List.of("polaroid"), "an instant picture", "snapshot")
      .add("snapshot", List.of("snapshot"), "an informal photo", "clothing");

  private final UnknownWordReading reading = new UnknownWordReading(TOKENIZER.check("tiny"), CAPTIONS, LEXICON);

  private String read(String prompt) {
    return reading.read(prompt).prompt();
  }

  @Test
  void anUnknownWordBecomesTheNearestBroaderWordOfTheEncodersWorld() {
    UnknownWordReading.Reading r = reading.read("a photo of a zori");
    assertEquals("a photo of a sandal", r.prompt());
    assertEquals(List.of(new UnknownWordReading.Read("zori", "zori", "sandal", "a sandal attached by a thong")), r.read());
    assertEquals("a photo of an overcoat", read("a photo of an ulster"), "one step up");
    assertEquals("a photo of an overcoat", read("a photo of a greatcoat"), "a synonym in the world, no step up (and 'a' becomes 'an')");
  }

  @Test
  void theArticleFollowsTheWordReadAndTheRestOfThePromptStays() {
    assertEquals("a photo of a coat", read("a photo of an anorak"));
    assertEquals("A dark overcoat, twice!", read("A dark ulster, twice!"), "case, punctuation and known words kept");
    assertEquals("An overcoat", read("A ulster"));
    assertEquals("two sandal", read("two zori"), "no article, nothing changed but the word");
    UnknownWordReading withoutAn = new UnknownWordReading(new WordTokenizer(List.of("a", "photo", "of", "sandal", "coat", "overcoat"))
        .check("tiny"), CAPTIONS, LEXICON);
    assertEquals("a photo of a overcoat", withoutAn.read("a photo of a ulster").prompt(), "an article the encoder does not know is not written");
    assertEquals("a photo of a coat", withoutAn.read("a photo of an anorak").prompt(), "and one it does not know is mended where it can be");
  }

  @Test
  void theLongestPhraseTheLexiconKnowsIsReadAsOne() {
    UnknownWordReading.Reading r = reading.read("a photo of a trench coat");
    assertEquals("a photo of a coat", r.prompt(), "'trench coat' is a coat, not a ditch");
    assertEquals("trench coat", r.read().get(0).phrase());
    assertEquals("trench", r.read().get(0).unknown());
    assertEquals("a photo of a coat", read("a photo of a prince albert"),
        "of the phrase's meanings, the one that reaches the encoder's world (the frock coat, not the prince)");
  }

  @Test
  void wordsTooFarFromTheEncodersWorldOrWithoutAnEntryStayUnread() {
    assertEquals("a photo of a cat", read("a photo of a cat"), "five steps up: beyond MAX_STEPS");
    assertEquals(List.of(), reading.read("a photo of a cat").read());
    assertEquals("a photo of a zibble", read("a photo of a zibble"));
    assertEquals("a polaroid", read("a polaroid"), "'snapshot' and 'photo' are known, but no caption names them");
    assertEquals("a photo of a sandal", read("a photo of a sandal"), "known words are not looked up");
    assertEquals("", read(""));
    assertNull(reading.read(null).prompt());
  }

  /** Where the training captions' words are recorded, a word of known tokens that no caption used is read too. */
  @Test
  void aWordOfKnownPiecesThatNoCaptionUsedIsReadToo() {
    VocabularyCheck check = new VocabularyCheck("tiny", TOKENIZER, id -> true, List.of("a", "photo", "of", "sandal", "coat", "overcoat", "bag",
        "dress", "dark"));
    UnknownWordReading r = new UnknownWordReading(check, CAPTIONS, LEXICON);
    assertEquals("a photo of a sandal", r.read("a photo of a zori").prompt(), "every token is known here, but 'zori' was in no caption");
    assertEquals("a photo of a coat", r.read("a photo of a coat").prompt());
  }

  @Test
  void weightedPromptsAreReadPartByPart() {
    assertEquals("a sandal:1|a coat:-0.5", read("a zori:1|a trench coat:-0.5"));
    assertEquals(2, reading.read("a zori:1|a trench coat:-0.5").read().size());
  }

  @Test
  void theWorldIsWhatTheCaptionsNameAndTheEncoderKnows() {
    assertEquals(java.util.Set.of("sandal", "coat", "overcoat", "bag", "dress"), UnknownWordReading.worldOf(CAPTIONS, TOKENIZER.check("tiny")));
    assertEquals(java.util.Set.of("coat"), UnknownWordReading.worldOf(List.of("a photo of a zori", "a dark coat.", "a container (for women)", ""),
        new WordTokenizer(List.of("a", "photo", "of", "dark", "coat", "container", "for")).check("tiny")),
        "last words only, and only those the encoder knows");
    assertNull(UnknownWordReading.of(TOKENIZER.check("tiny"), null, LEXICON), "no known captions: no world to read into");
    assertNull(UnknownWordReading.of(TOKENIZER.check("tiny"), new KnownCaptions(CAPTIONS, 0.9), Lexicon.NONE));
    assertSame(UnknownWordReading.class, UnknownWordReading.of(TOKENIZER.check("tiny"), new KnownCaptions(CAPTIONS, 0.9), LEXICON).getClass());
  }
}
