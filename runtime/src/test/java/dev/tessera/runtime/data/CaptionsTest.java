package dev.tessera.runtime.data;

import dev.tessera.api.io.PngImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.types.ImageBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionsTest {
  @TempDir Path tmp;

  @Test
  void fashionMnistCaptionsNameTheClassAndHoldOutTheEvaluationTemplates() {
    Dataset d = new Dataset("f", new ImageBatch(2, 1, 1, 1, new float[2]), new int[] {7, 1}, FashionMnist.CLASS_NAMES);
    SplittableRandom r = new SplittableRandom(1);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String c = new FashionMnistCaptions().caption(d, 0, r);
      assertTrue(FashionMnistCaptions.SYNONYMS.get(7).stream().anyMatch(c::contains), c);
      seen.add(c);
    }
    assertTrue(seen.size() > 20, "captions vary: " + seen.size());
    for (String t : FashionMnistCaptions.EVALUATION_TEMPLATES) {
      assertFalse(FashionMnistCaptions.TRAINING_TEMPLATES.contains(t));
    }
    assertEquals(10, FashionMnistCaptions.SYNONYMS.size());
    assertEquals(10, FashionMnistCaptions.CLASS_PROMPT_NAMES.size());
  }

  @Test
  void twemojiLoadsSplitsAndCaptionsFromNames() throws Exception {
    Path dir = tmp.resolve("twemoji");
    Path img = dir.resolve("img/twitter/64");
    Files.createDirectories(img);
    StringBuilder json = new StringBuilder("[");
    int n = 40;
    for (int i = 0; i < n; i++) {
      String file = String.format("%04x.png", 0x1f600 + i);
      PngImages.write(img.resolve(file), new ImageBatch(1, 64, 64, 4, filled(64 * 64 * 4, i / (float) n)), 0);
      json.append(i == 0 ? "" : ",").append("{\"name\":\"EMOJI ").append(i).append("\",\"image\":\"").append(file)
          .append("\",\"short_names\":[\"emoji_").append(i).append("\"],\"category\":\"Smileys\",\"subcategory\":\"face\",\"has_img_twitter\":true}");
    }
    json.append(",{\"name\":\"Egypt Flag\",\"image\":\"missing.png\",\"short_names\":[\"flag-eg\"],\"has_img_twitter\":true}]");
    Files.writeString(dir.resolve("emoji.json"), json);
    Twemoji.Loaded train = Twemoji.load(dir, Twemoji.Split.TRAIN, 32);
    Twemoji.Loaded test = Twemoji.load(dir, Twemoji.Split.TEST, 32);
    assertEquals(n, train.data().size() + test.data().size(), "every emoji with an image is in exactly one split");
    assertEquals(32, train.data().images().height());
    assertEquals(3, train.data().images().channels());
    String c = train.captions().caption(train.data(), 0, new SplittableRandom(3));
    assertTrue(c.contains("emoji"), c);
    Twemoji.Emoji flag = new Twemoji.Emoji("x.png", "Egypt Flag", List.of("flag-eg"), "Flags", "country-flag");
    assertEquals(List.of("flag of egypt"), TwemojiCaptions.names(flag));
    Twemoji.Emoji dog = new Twemoji.Emoji("d.png", "DOG FACE", List.of("dog"), "Animals", "animal-mammal");
    assertEquals(List.of("dog face", "dog"), TwemojiCaptions.names(dog));
  }

  @Test
  void missingTwemojiSaysHowToGetIt() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(dev.tessera.api.TesseraException.class,
        () -> Twemoji.load(tmp.resolve("none"), Twemoji.Split.TRAIN, 32));
    assertTrue(e.getMessage().contains("./tessera setup twemoji"), e.getMessage());
  }

  private static float[] filled(int size, float v) {
    float[] a = new float[size];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
