package dev.tessera.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.types.Embedding;
import org.junit.jupiter.api.Test;

/** The choice among candidates; the whole wrapper runs in samples' CompareEndToEndTest on trained models. */
class RerankedPipelineTest {
  @Test
  void keepsTheCandidateClosestToThePromptInEachGroup() {
    // Six 2-d unit image embeddings in groups of 3; the prompt points along x.
    float s = (float) Math.sqrt(0.5);
    Embedding images = new Embedding(6, 2, new float[] {0, 1, s, s, 1, 0, /* group 2 */ 1, 0, 0, 1, -1, 0});
    Embedding text = new Embedding(1, 2, new float[] {1, 0});
    assertArrayEquals(new int[] {2, 3}, RerankedPipeline.bestOfEach(images, text, 3));
    assertArrayEquals(new int[] {1, 2, 4}, RerankedPipeline.bestOfEach(images, text, 2));
  }

  @Test
  void oneCandidateIsNotReRanking() {
    assertTrue(assertThrows(TesseraException.class, () -> new RerankedPipeline(null, null, 1)).getMessage().contains("at least 2"));
  }
}
