package dev.tessera.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.api.types.ImageBatch;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {
  private static final ImageBatch THREE = new ImageBatch(3, 1, 2, 1, new float[6]);

  @Test
  void firstTakesPrefix() {
    Dataset d = new Dataset("d", THREE, new int[] {0, 1, 0}, List.of("a", "b"));
    Dataset two = d.first(2);
    assertEquals(2, two.size());
    assertArrayEquals(new int[] {0, 1}, two.labels());
    assertSame(d, d.first(10));
    assertEquals(0, d.first(0).size());
    assertThrows(IllegalArgumentException.class, () -> d.first(-1));
  }

  @Test
  void validatesLabels() {
    assertThrows(IllegalArgumentException.class,
        () -> new Dataset("d", THREE, new int[] {0, 1}, List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new Dataset("d", THREE, new int[] {0, 1, 2}, List.of("a", "b")));
  }

  @Test
  void unlabeled() {
    Dataset d = Dataset.unlabeled("u", THREE);
    assertFalse(d.hasLabels());
    assertNull(d.first(1).labels());
    assertEquals(List.of(), d.classNames());
  }
}
