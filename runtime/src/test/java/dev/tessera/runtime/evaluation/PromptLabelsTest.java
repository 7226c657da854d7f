package dev.tessera.runtime.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
