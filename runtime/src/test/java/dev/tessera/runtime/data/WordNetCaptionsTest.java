package dev.tessera.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.types.ImageBatch;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Image attributes on drawn images, and captions from a lexicon: attributes stated, held-out words never. */
class WordNetCaptionsTest {
  /** A 10x10 image: a filled w x h rectangle at level {@code level}, every other pixel of it at {@code stripe} when given. */
  private static float[] rectangle(int w, int h, float level, float stripe) {
    float[] px = new float[100];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        px[y * 10 + x] = stripe > 0 && x % 2 == 1 ? stripe : level;
      }
    }
    return px;
  }

  @Test
  void brightnessPatternAndSizeOfDrawnObjects() {
    ImageBatch one = new ImageBatch(1, 10, 10, 1, rectangle(4, 5, 0.5f, 0));
    ImageAttributes.Measures m = ImageAttributes.measure(one, 0);
    assertEquals(0.5, m.brightness(), 1e-6);
    assertEquals(0.0, m.pattern(), 1e-6, "a flat object is plain");
    assertEquals(0.2, m.size(), 1e-6);
    ImageAttributes.Measures striped = ImageAttributes.measure(new ImageBatch(1, 10, 10, 1, rectangle(4, 5, 0.4f, 0.8f)), 0);
    assertTrue(striped.pattern() > 0.3, "stripes are a pattern: " + striped.pattern());
    assertEquals(0, ImageAttributes.measure(new ImageBatch(1, 10, 10, 1, new float[100]), 0).size());
  }

  @Test
  void wordsFromTheClassQuartiles() {
    double[] q = {0.3, 0.6};
    assertEquals("dark", ImageAttributes.word(new ImageAttributes.Measures(0.2, 0, 0), 0, q));
    assertEquals("light", ImageAttributes.word(new ImageAttributes.Measures(0.7, 0, 0), 0, q));
    assertNull(ImageAttributes.word(new ImageAttributes.Measures(0.5, 0, 0), 0, q), "between the quartiles: no word");
    assertEquals("large", ImageAttributes.word(new ImageAttributes.Measures(0, 0, 0.9), 2, q));
  }

  /** Eight images per class of two classes: two dark small ones, four middling, two light large ones. */
  private static Dataset data() {
    float[] px = new float[16 * 100];
    int[] labels = new int[16];
    for (int i = 0; i < 16; i++) {
      int kind = i % 8 < 2 ? 0 : i % 8 >= 6 ? 2 : 1;
      int side = new int[] {3, 5, 8}[kind];
      System.arraycopy(rectangle(side, side, new float[] {0.3f, 0.6f, 0.9f}[kind], 0), 0, px, i * 100, 100);
      labels[i] = i / 8;
    }
    return new Dataset("tiny", new ImageBatch(16, 10, 10, 1, px), labels, List.of("a", "b"));
  }

  @Test
  void captionsStateAttributesAndNeverAHeldOutWord() {
    List<FashionMnistLexicon.ClassWords> lexicon = List.of(
        new FashionMnistLexicon.ClassWords(List.of("coat", "parka"), List.of("anorak"), List.of("an outer garment"), List.of("garment"),
            List.of("coat")),
        new FashionMnistLexicon.ClassWords(List.of("boot"), List.of("jackboot"), List.of("footwear covering the leg"), List.of("footwear"),
            List.of("boot")));
    Dataset d = data();
    FashionMnistWordNetCaptions captions = new FashionMnistWordNetCaptions(d, lexicon);
    assertEquals(List.of("dark", "small"), captions.attributes(0));
    assertEquals(List.of("light", "large"), captions.attributes(7));
    assertEquals(List.of(), captions.attributes(3), "a middling image gets no word");
    SplittableRandom r = new SplittableRandom(5);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      int image = r.nextInt(16);
      String c = captions.caption(d, image, r);
      assertFalse(c.contains("anorak") || c.contains("jackboot"), c);
      if (d.labels()[image] == 1) {
        assertFalse(c.contains("coat") || c.contains("garment"), c);
      }
      seen.add(c);
    }
    assertTrue(seen.contains("an outer garment"), "definitions are captions");
    assertTrue(seen.contains("a boot, a kind of footwear"), seen.toString());
    assertTrue(seen.stream().anyMatch(c -> c.contains("dark small coat") || c.contains("dark small parka")), seen.toString());
    assertTrue(seen.stream().anyMatch(c -> c.contains("light large boot")), seen.toString());
  }

  @Test
  void realFashionMnistCaptionsFromDebiansWordNet() {
    assumeTrue(Files.isRegularFile(WordNet.DEBIAN.resolve("data.noun")), "wordnet-base is not installed");
    assumeTrue(Files.isDirectory(java.nio.file.Path.of("/usr/share/datasets/fashion-mnist")), "Fashion-MNIST is not installed");
    DataSources.Source s = DataSources.open(DataSources.FASHION_MNIST_WORDNET, false, 28, 1);
    List<FashionMnistLexicon.ClassWords> lexicon = FashionMnistLexicon.build(WordNet.debian());
    Set<String> heldOut = new HashSet<>();
    lexicon.forEach(w -> heldOut.addAll(w.heldOut()));
    SplittableRandom r = new SplittableRandom(1);
    List<String> sample = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      String c = s.captions().caption(s.data(), r.nextInt(s.data().size()), r);
      String words = " " + c.toLowerCase(java.util.Locale.ROOT).replaceAll("[^\\p{L}\\p{N}'-]+", " ").replaceAll("(^| )'|'( |$)", " ") + " ";
      for (String word : heldOut) {
        assertFalse((words.contains(" " + word + " ") || words.contains(" " + word + "s ")) && !lexiconNamesContain(lexicon, c, word), word + " in: " + c);
      }
      sample.add(c);
    }
    assertTrue(sample.stream().anyMatch(c -> c.contains("patterned")), "attributes are stated");
  }

  /** Whether a held-out word's occurrence is inside a longer training name ("coat" inside "trench coat" is fine the other way round). */
  private static boolean lexiconNamesContain(List<FashionMnistLexicon.ClassWords> lexicon, String caption, String word) {
    for (FashionMnistLexicon.ClassWords w : lexicon) {
      for (String name : w.names()) {
        if (name.contains(word) && caption.contains(name)) {
          return true;
        }
      }
    }
    return false;
  }
}
