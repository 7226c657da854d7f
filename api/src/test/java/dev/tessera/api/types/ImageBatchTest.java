package dev.tessera.api.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageBatchTest {
  /** count x 2 x 3 x channels with data[i] = i (distinct values make index mistakes visible). */
  private static ImageBatch iota(int count, int channels) {
    float[] data = new float[count * 2 * 3 * channels];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    return new ImageBatch(count, 2, 3, channels, data);
  }

  @Test
  void accessorsAndShape() {
    ImageBatch b = iota(2, 3);
    assertEquals(2, b.count());
    assertEquals(2, b.height());
    assertEquals(3, b.width());
    assertEquals(3, b.channels());
    assertArrayEquals(new long[] {2, 2, 3, 3}, b.shape());
    assertEquals(18, b.imageSize());
    // NHWC: ((n*h + y)*w + x)*c + ch
    assertEquals(((1 * 2 + 1) * 3 + 2) * 3 + 1, b.get(1, 1, 2, 1));
  }

  @Test
  void dataIsNotCopied() {
    float[] data = new float[6];
    ImageBatch b = new ImageBatch(1, 2, 3, 1, data);
    assertSame(data, b.data());
  }

  @Test
  void emptyBatchIsAllowed() {
    ImageBatch b = new ImageBatch(0, 28, 28, 1, new float[0]);
    assertEquals(0, b.count());
  }

  @Test
  void constructorValidates() {
    assertThrows(IllegalArgumentException.class, () -> new ImageBatch(-1, 2, 2, 1, new float[0]));
    assertThrows(IllegalArgumentException.class, () -> new ImageBatch(1, 0, 2, 1, new float[0]));
    assertThrows(IllegalArgumentException.class, () -> new ImageBatch(1, 2, -2, 1, new float[0]));
    assertThrows(IllegalArgumentException.class, () -> new ImageBatch(1, 1, 1, 2, new float[2]));
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> new ImageBatch(2, 2, 2, 3, new float[23]));
    assertTrue(e.getMessage().contains("24") && e.getMessage().contains("23"), e.getMessage());
  }

  @Test
  void getChecksBounds() {
    ImageBatch b = iota(1, 1);
    assertThrows(IndexOutOfBoundsException.class, () -> b.get(1, 0, 0, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> b.get(0, 0, 3, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> b.get(0, 0, 0, 1));
  }

  @Test
  void sliceCopiesRange() {
    ImageBatch b = iota(4, 1);
    ImageBatch s = b.slice(1, 3);
    assertEquals(2, s.count());
    assertEquals(b.get(1, 0, 0, 0), s.get(0, 0, 0, 0));
    assertEquals(b.get(2, 1, 2, 0), s.get(1, 1, 2, 0));
    assertEquals(0, b.slice(2, 2).count());
    assertThrows(IllegalArgumentException.class, () -> b.slice(3, 5));
    assertThrows(IllegalArgumentException.class, () -> b.slice(2, 1));
  }

  @Test
  void stackConcatenatesAndChecksShapes() {
    ImageBatch a = iota(2, 1);
    ImageBatch b = iota(1, 1);
    ImageBatch s = ImageBatch.stack(List.of(a, b));
    assertEquals(3, s.count());
    assertEquals(b.get(0, 1, 1, 0), s.get(2, 1, 1, 0));
    assertEquals(a, s.slice(0, 2));
    assertThrows(IllegalArgumentException.class, () -> ImageBatch.stack(List.of(a, iota(1, 3))));
    assertThrows(IllegalArgumentException.class, () -> ImageBatch.stack(List.of()));
  }

  @Test
  void selectGathersRows() {
    ImageBatch b = iota(3, 1);
    ImageBatch s = b.select(new int[] {2, 0, 2});
    assertEquals(3, s.count());
    assertEquals(b.slice(2, 3), s.slice(0, 1));
    assertEquals(b.slice(0, 1), s.slice(1, 2));
    assertEquals(b.slice(2, 3), s.slice(2, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> b.select(new int[] {3}));
  }

  @Test
  void grayToRgbRepeats() {
    ImageBatch gray = new ImageBatch(1, 1, 2, 1, new float[] {0.25f, 1f});
    ImageBatch rgb = gray.withChannels(3);
    assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 1f, 1f, 1f}, rgb.data());
    assertArrayEquals(gray.data(), rgb.withChannels(1).data()); // gray survives exactly
    assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 1f, 1f, 1f, 1f, 1f},
        gray.withChannels(4).data());
    assertSame(gray, gray.withChannels(1));
  }

  @Test
  void rgbaToRgbCompositesOverWhite() {
    ImageBatch rgba = new ImageBatch(1, 1, 2, 4, new float[] {
        1f, 0f, 0f, 0.5f, // half-transparent red -> pink
        0f, 0f, 1f, 1f});  // opaque blue stays blue
    assertArrayEquals(new float[] {1f, 0.5f, 0.5f, 0f, 0f, 1f},
        rgba.withChannels(3).data(), 1e-6f);
  }

  @Test
  void rgbToGrayUsesLuma() {
    ImageBatch rgb = new ImageBatch(1, 1, 3, 3, new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1});
    assertArrayEquals(new float[] {0.299f, 0.587f, 0.114f}, rgb.withChannels(1).data(), 1e-6f);
    assertThrows(IllegalArgumentException.class, () -> rgb.withChannels(2));
  }

  @Test
  void clampedLimitsToUnitRange() {
    ImageBatch b = new ImageBatch(1, 1, 4, 1, new float[] {-0.5f, 0.5f, 2f, Float.NaN});
    assertArrayEquals(new float[] {0f, 0.5f, 1f, 0f}, b.clamped().data());
    assertEquals(2f, b.data()[2]); // original untouched
  }
}
