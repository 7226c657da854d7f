package dev.tessera.runtime.data;

import dev.tessera.api.io.DataFormatException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.runtime.testing.TinyTwemoji;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Twemoji labelled with subcategories, from a tiny generated emoji.json and PNG folder. */
class TwemojiTest {
  @TempDir Path tmp;

  @Test
  void subcategoryLabelsIndexTheSortedSubcategoriesOfTheTrainSplitInBothSplits() throws Exception {
    Path dir = TinyTwemoji.write(tmp.resolve("twemoji"), 40, List.of("face-smiling", "animal-bird", "country-flag"));
    Twemoji.Loaded train = Twemoji.load(dir, Twemoji.Split.TRAIN, 16, Twemoji.Labels.SUBCATEGORY);
    Twemoji.Loaded test = Twemoji.load(dir, Twemoji.Split.TEST, 16, Twemoji.Labels.SUBCATEGORY);
    List<String> classes = List.of("animal-bird", "country-flag", "face-smiling");
    assertEquals(classes, train.data().classNames());
    assertEquals(classes, test.data().classNames(), "the TEST split numbers classes as TRAIN does");
    assertEquals("twemoji-subcategories-train", train.data().name());
    // 40 emoji with a subcategory; the one without and the one without an image are left out.
    assertEquals(40, train.data().size() + test.data().size());
    assertTrue(test.data().size() > 0 && train.data().size() > test.data().size(), train.data() + " " + test.data());
    for (Twemoji.Loaded split : List.of(train, test)) {
      for (int i = 0; i < split.data().size(); i++) {
        assertEquals(split.emoji().get(i).subcategory(), classes.get(split.data().labels()[i]));
      }
      assertEquals(3, split.data().images().channels());
      assertEquals(16, split.data().images().height());
    }
    // The emoji labels are unchanged: label i is emoji i, and the emoji without a subcategory is kept.
    Twemoji.Loaded emoji = Twemoji.load(dir, Twemoji.Split.TRAIN, 16);
    Twemoji.Loaded emojiTest = Twemoji.load(dir, Twemoji.Split.TEST, 16);
    assertEquals(41, emoji.data().size() + emojiTest.data().size());
    assertArrayEquals(java.util.stream.IntStream.range(0, emoji.data().size()).toArray(), emoji.data().labels());
    assertEquals("emoji 0", emoji.data().classNames().get(0));
  }

  @Test
  void theClassListIsTheSameWhateverTheOrderOfEmojiJson() throws Exception {
    Path a = TinyTwemoji.write(tmp.resolve("a"), 30, List.of("b-sub", "a-sub", "c-sub"));
    Path b = TinyTwemoji.write(tmp.resolve("b"), 30, List.of("c-sub", "b-sub", "a-sub"));
    assertEquals(Twemoji.load(a, Twemoji.Split.TRAIN, 8, Twemoji.Labels.SUBCATEGORY).data().classNames(),
        Twemoji.load(b, Twemoji.Split.TRAIN, 8, Twemoji.Labels.SUBCATEGORY).data().classNames());
  }

  @Test
  void testEmojiOfASubcategoryNoTrainEmojiHasAreLeftOut() throws Exception {
    Path dir = TinyTwemoji.write(tmp.resolve("twemoji"), 40, List.of("shared"));
    // Give every TEST emoji a subcategory no TRAIN emoji has.
    java.util.Set<String> testFiles = new java.util.HashSet<>();
    Twemoji.load(dir, Twemoji.Split.TEST, 8).emoji().forEach(e -> testFiles.add(e.image()));
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode index = json.readTree(dir.resolve("emoji.json").toFile());
    for (com.fasterxml.jackson.databind.JsonNode e : index) {
      if (testFiles.contains(e.path("image").asText())) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) e).put("subcategory", "only-in-test");
      }
    }
    json.writeValue(dir.resolve("emoji.json").toFile(), index);
    assertEquals(List.of("shared"), Twemoji.load(dir, Twemoji.Split.TRAIN, 8, Twemoji.Labels.SUBCATEGORY).data().classNames());
    DataFormatException e = assertThrows(DataFormatException.class, () -> Twemoji.load(dir, Twemoji.Split.TEST, 8, Twemoji.Labels.SUBCATEGORY));
    assertTrue(e.getMessage().contains("no emoji of the test split") && e.getMessage().contains("subcategory"), e.getMessage());
  }

  @Test
  void dataSourcesNameTheSubcategoryDataSetAndCheckChannels() {
    TesseraException grey = assertThrows(TesseraException.class, () -> DataSources.open(DataSources.TWEMOJI_SUBCATEGORIES, true, 32, 1));
    assertTrue(grey.getMessage().contains("3 channels"), grey.getMessage());
    TesseraException unknown = assertThrows(TesseraException.class, () -> DataSources.open("twemoji-categories", true, 32, 3));
    assertTrue(unknown.getMessage().contains("twemoji-subcategories"), unknown.getMessage());
  }
}
