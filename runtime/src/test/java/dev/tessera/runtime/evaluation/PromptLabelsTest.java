package dev.tessera.runtime.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which class a prompt asks for, plain or weighted. */
class PromptLabelsTest {
  @Test
  void theLongestClassNameInThePrompt() {
    assertEquals(7, PromptLabels.classOf("a photo of a sneaker"));
    assertEquals(9, PromptLabels.classOf("a photo of an ankle boot"), "ankle boot, not boot alone");
    assertEquals(-1, PromptLabels.classOf("a photo of a cat"));
  }

  @Test
  void theHeaviestPositivePartOfAWeightedPrompt() {
    assertEquals(7, PromptLabels.classOf("a photo of a sneaker:1|a photo of a bag:-0.3"));
    assertEquals(8, PromptLabels.classOf("a photo of a sneaker:-0.5|a photo of a bag:1"), "not the longer name with a negative weight");
    assertEquals(1, PromptLabels.classOf("a trouser:0.3|a dress:0.2"));
    assertEquals(-1, PromptLabels.classOf("a photo of a bag:-1"));
  }

  @Test
  void aPromptsFileLineMayNameItsClass() {
    assertEquals(new PromptLabels.Labelled("a zori", 5), PromptLabels.parseLine("a zori => sandal"));
    assertEquals(new PromptLabels.Labelled("a photo of an anorak", 4), PromptLabels.parseLine("  a photo of an anorak=>Coat "));
    assertEquals(new PromptLabels.Labelled("a sneaker", -1), PromptLabels.parseLine("a sneaker"), "no arrow: read from the words");
    assertEquals(9, PromptLabels.parseLine("a => b => ankle boot").classId(), "the last arrow separates");
    String bad = assertThrows(IllegalArgumentException.class, () -> PromptLabels.parseLine("a zori => flip-flop")).getMessage();
    assertTrue(bad.startsWith("'flip-flop' after => is not a class name (one of t-shirt, trouser"), bad);
    assertThrows(IllegalArgumentException.class, () -> PromptLabels.parseLine(" => sandal"));
    assertThrows(IllegalArgumentException.class, () -> PromptLabels.parseLine("a zori =>"));
  }
}
