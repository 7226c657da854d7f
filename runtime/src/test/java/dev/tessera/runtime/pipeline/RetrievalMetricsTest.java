package dev.tessera.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.types.Embedding;
import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {
  @Test
  void recallCountsMatchesWithinTheTopK() {
    // texts 0 and 1 find their images first; text 2 is closer to image 0 than to image 2.
    Embedding texts = new Embedding(3, 2, new float[] {1, 0, 0, 1, 1, 0.1f});
    Embedding images = new Embedding(3, 2, new float[] {1, 0, 0, 1, 0, -1});
    assertEquals(2.0 / 3, RetrievalMetrics.recallAtK(texts, images, 1), 1e-9);
    assertEquals(1.0, RetrievalMetrics.recallAtK(texts, images, 3), 1e-9);
  }
}
