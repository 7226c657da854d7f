package dev.tessera.api.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Known captions from a config: the nearest one by cosine, the warning below the floor, and bad configs named. */
class KnownCaptionsTest {
  @Test
  void nearestByCosineAndAWarningOnlyBelowTheFloor() {
    KnownCaptions k = KnownCaptions.of(ModelConfig.parse("{\"known_captions\": [\"a shoe\", \"a bag\"], \"known_caption_floor\": 0.9}", "t"));
    float[][] rows = {{1, 0}, {0, 2}};
    KnownCaptions.Nearest n = k.nearest(new float[] {0.1f, 3}, rows);
    assertEquals("a bag", n.caption());
    assertEquals(3 / Math.sqrt(9.01), n.similarity(), 1e-6, "cosine, whatever the lengths");
    assertNull(k.warning("clip", n));
    KnownCaptions.Nearest far = k.nearest(new float[] {1, 1}, rows);
    String w = k.warning("clip", far);
    assertTrue(w.startsWith("the prompt is far from everything the text encoder 'clip' was trained on: the nearest training caption is "
        + "\"a shoe\" (similarity 0.71, below 0.90)"), w);
  }

  @Test
  void anEncoderWithoutThemIsNotCheckedAndBadOnesAreNamed() {
    assertNull(KnownCaptions.of(ModelConfig.parse("{\"text_length\": 16}", "t")));
    for (String bad : List.of("{\"known_captions\": [\"a\"]}", "{\"known_captions\": [], \"known_caption_floor\": 0.5}",
        "{\"known_captions\": \"a\", \"known_caption_floor\": 0.5}", "{\"known_captions\": [1], \"known_caption_floor\": 0.5}",
        "{\"known_captions\": [\"a\"], \"known_caption_floor\": 1.5}")) {
      TesseraException e = assertThrows(TesseraException.class, () -> KnownCaptions.of(ModelConfig.parse(bad, "c.json")), bad);
      assertTrue(e.getMessage().startsWith("c.json: 'known_caption"), e.getMessage());
    }
  }
}
