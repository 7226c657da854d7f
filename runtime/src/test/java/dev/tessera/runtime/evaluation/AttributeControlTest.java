package dev.tessera.runtime.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.ImageAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attribute control on drawn squares: the real side from the quartiles, pass and fail by the generated difference. */
class AttributeControlTest {
  /** Class 0 ("t-shirt"): eight 10x10 images, a centred 6x6 square at levels 0.2 ... 0.9. */
  private static Dataset squares() {
    float[] px = new float[8 * 100];
    for (int i = 0; i < 8; i++) {
      for (int y = 2; y < 8; y++) {
        for (int x = 2; x < 8; x++) {
          px[i * 100 + y * 10 + x] = 0.2f + 0.1f * i;
        }
      }
    }
    return new Dataset("squares", new ImageBatch(8, 10, 10, 1, px), new int[8], List.of("t-shirt"));
  }

  private static ImageAttributes.Measures bright(double level) {
    return new ImageAttributes.Measures(level, 0, 0.36);
  }

  @Test
  void sixtyPromptsInLowHighPairs() {
    List<String> p = AttributeControl.prompts();
    assertEquals(60, p.size());
    assertEquals("a photo of a dark t-shirt", p.get(0));
    assertEquals("a photo of a light t-shirt", p.get(1));
    assertEquals("a photo of a large ankle boot", p.get(59));
  }

  @Test
  void rowsPassWhenTheGeneratedImagesMoveHalfAsFarAsTheRealOnes() {
    AttributeControl.Reference ref = AttributeControl.reference(squares());
    // The lowest quarter (2 of 8) are the levels 0.2 and 0.3, the highest 0.8 and 0.9: means 0.25 and 0.85.
    Map<String, ImageAttributes.Measures> generated = new HashMap<>();
    generated.put(AttributeControl.prompt(0, 0, 0), bright(0.4));
    generated.put(AttributeControl.prompt(0, 0, 1), bright(0.75));
    List<AttributeControl.Row> rows = AttributeControl.rows(ref, generated);
    assertEquals(1, rows.size(), "only the asked pair, only where the data has both ends: " + rows);
    AttributeControl.Row r = rows.get(0);
    assertEquals(0.25, r.realLow(), 1e-6);
    assertEquals(0.85, r.realHigh(), 1e-6);
    assertEquals(0.35 / 0.6, r.ratio(), 1e-6);
    assertTrue(r.passes());

    generated.put(AttributeControl.prompt(0, 0, 1), bright(0.6)); // 0.2 of 0.6: too little
    assertFalse(AttributeControl.rows(ref, generated).get(0).passes());
    generated.put(AttributeControl.prompt(0, 0, 1), bright(0.1)); // the wrong way
    AttributeControl.Row reversed = AttributeControl.rows(ref, generated).get(0);
    assertTrue(reversed.ratio() < 0 && !reversed.passes());
    assertTrue(AttributeControl.markdown(List.of(r, reversed)).contains("1 of 2 rows pass"), AttributeControl.markdown(List.of(r, reversed)));
  }

  @Test
  void theMeanOfABatch() {
    ImageAttributes.Measures m = AttributeControl.mean(squares().images());
    assertEquals(0.55, m.brightness(), 1e-6);
    assertEquals(0.36, m.size(), 1e-6);
  }
}
