package dev.tessera.api.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.api.TesseraException;
import dev.tessera.api.types.ImageBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batching: the batch boundaries, the progress after each batch, the images in order, and a bad count. */
class BatchesTest {
  @Test
  void drawsInBatchesReportsProgressAndKeepsTheOrder() {
    List<String> calls = new ArrayList<>();
    List<Long> progress = new ArrayList<>();
    ImageBatch all = Batches.draw(7, 3, (done, total) -> progress.add(done * 100 + total), (from, n) -> {
      calls.add(from + "+" + n);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = from + i;
      }
      return new ImageBatch(n, 1, 1, 1, v);
    });
    assertEquals(List.of("0+3", "3+3", "6+1"), calls);
    assertEquals(List.of(307L, 607L, 707L), progress);
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6}, all.data());
  }

  @Test
  void aCountBelowOneIsRefused() {
    assertEquals("--num-images must be positive, got 0",
        assertThrows(TesseraException.class, () -> Batches.draw(0, 3, null, (from, n) -> null)).getMessage());
  }
}
