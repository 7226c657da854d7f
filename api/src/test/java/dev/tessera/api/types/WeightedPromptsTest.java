package dev.tessera.api.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedPromptsTest {
  @Test
  void partsWeightsAndColonsInsideAPrompt() {
    WeightedPrompts p = WeightedPrompts.parse("a shoe:1|a bag:-0.5| a hat ");
    assertEquals(List.of("a shoe", "a bag", "a hat"), p.prompts());
    assertArrayEquals(new float[] {1f, -0.5f, 1f}, p.weights());
    assertEquals(List.of("time: noon"), WeightedPrompts.parse("time: noon").prompts());
  }

  @Test
  void malformedPromptsAreNamed() {
    assertTrue(assertThrows(TesseraException.class, () -> WeightedPrompts.parse("a|")).getMessage().contains("empty part"));
    assertTrue(assertThrows(TesseraException.class, () -> WeightedPrompts.parse(":2")).getMessage().contains("weight without a prompt"));
    assertTrue(assertThrows(TesseraException.class, () -> WeightedPrompts.parse(" ")).getMessage().contains("empty"));
    assertTrue(assertThrows(TesseraException.class, () -> WeightedPrompts.parse("a:NaN")).getMessage().contains("not a finite"));
  }
}
