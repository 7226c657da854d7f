package dev.tessera.api.types;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A batch of images as one float array in NHWC order (image, row, column, channel) with values
 * nominally in [0, 1]. Channels are 1 (gray), 3 (RGB) or 4 (RGBA).
 *
 * <p>The class is a thin value holder: {@link #data()} exposes the backing array without copying so
 * that models can feed it to tensors without an extra pass over possibly hundreds of megabytes.
 * Callers must treat it as read-only unless they own the batch. Methods that derive a new batch
 * ({@link #slice}, {@link #select}, {@link #withChannels}, {@link #clamped}, {@link #stack}) always
 * copy.
 */
public final class ImageBatch {
  private final int count;
  private final int height;
  private final int width;
  private final int channels;
  private final float[] data;

  /**
   * @param count number of images, may be 0
   * @param height rows per image, positive
   * @param width columns per image, positive
   * @param channels 1, 3 or 4
   * @param data {@code count*height*width*channels} floats in NHWC order; kept, not copied
   * @throws IllegalArgumentException on bad dimensions or a data length that does not match them
   */
  public ImageBatch(int count, int height, int width, int channels, float[] data) {
    if (count < 0) {
      throw new IllegalArgumentException("image count must be >= 0, got " + count);
    }
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image height and width must be positive, got " + height + "x" + width);
    }
    if (channels != 1 && channels != 3 && channels != 4) {
      throw new IllegalArgumentException("channels must be 1, 3 or 4, got " + channels);
    }
    Objects.requireNonNull(data, "data");
    long expected = (long) count * height * width * channels;
    if (expected > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "batch of " + count + "x" + height + "x" + width + "x" + channels
              + " is too large for one array (" + expected + " floats)");
    }
    if (data.length != expected) {
      throw new IllegalArgumentException(
          "data length must be count*height*width*channels = " + count + "*" + height + "*"
              + width + "*" + channels + " = " + expected + ", got " + data.length);
    }
    this.count = count;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.data = data;
  }

  public int count() {
    return count;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int channels() {
    return channels;
  }

  /** The backing NHWC array itself, not a copy (for speed); do not modify a batch you don't own. */
  public float[] data() {
    return data;
  }

  /** {count, height, width, channels}, the NHWC tensor shape. */
  public long[] shape() {
    return new long[] {count, height, width, channels};
  }

  /** Floats per image: height * width * channels. */
  public int imageSize() {
    return height * width * channels;
  }

  /** Images {@code [from, to)} as a new batch (copied). */
  public ImageBatch slice(int from, int to) {
    if (from < 0 || to > count || from > to) {
      throw new IllegalArgumentException(
          "slice [" + from + ", " + to + ") out of range for a batch of " + count);
    }
    int size = imageSize();
    return new ImageBatch(
        to - from, height, width, channels,
        Arrays.copyOfRange(data, from * size, to * size));
  }

  /** The value at image {@code n}, row {@code y}, column {@code x}, channel {@code c}. */
  public float get(int n, int y, int x, int c) {
    if (n < 0 || n >= count || y < 0 || y >= height || x < 0 || x >= width
        || c < 0 || c >= channels) {
      throw new IndexOutOfBoundsException(
          "index (" + n + ", " + y + ", " + x + ", " + c + ") out of bounds for shape "
              + Arrays.toString(shape()));
    }
    return data[((n * height + y) * width + x) * channels + c];
  }

  /** Concatenates batches along the image axis; all must share height, width and channels. */
  public static ImageBatch stack(List<ImageBatch> batches) {
    if (batches == null || batches.isEmpty()) {
      throw new IllegalArgumentException("cannot stack an empty list of batches");
    }
    ImageBatch first = batches.get(0);
    long total = 0;
    for (ImageBatch b : batches) {
      if (b.height != first.height || b.width != first.width || b.channels != first.channels) {
        throw new IllegalArgumentException(
            "cannot stack batches of different image shapes: " + first.describeImage()
                + " and " + b.describeImage());
      }
      total += b.count;
    }
    if (total * first.imageSize() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("stacked batch of " + total + " images is too large");
    }
    float[] out = new float[(int) (total * first.imageSize())];
    int pos = 0;
    for (ImageBatch b : batches) {
      System.arraycopy(b.data, 0, out, pos, b.data.length);
      pos += b.data.length;
    }
    return new ImageBatch((int) total, first.height, first.width, first.channels, out);
  }

  /** Gathers the images at {@code indices} (repeats allowed) into a new batch. */
  public ImageBatch select(int[] indices) {
    int size = imageSize();
    float[] out = new float[Math.multiplyExact(indices.length, size)];
    for (int i = 0; i < indices.length; i++) {
      int n = indices[i];
      if (n < 0 || n >= count) {
        throw new IndexOutOfBoundsException(
            "image index " + n + " out of range for a batch of " + count);
      }
      System.arraycopy(data, n * size, out, i * size, size);
    }
    return new ImageBatch(indices.length, height, width, channels, out);
  }

  /**
   * Converts to {@code target} channels: gray to RGB(A) by repetition, RGBA to RGB by compositing
   * over white, RGB(A) to gray by Rec. 601 luma (0.299, 0.587, 0.114). Returns {@code this} if the
   * channel count already matches.
   */
  public ImageBatch withChannels(int target) {
    if (target != 1 && target != 3 && target != 4) {
      throw new IllegalArgumentException("channels must be 1, 3 or 4, got " + target);
    }
    if (target == channels) {
      return this;
    }
    int pixels = count * height * width;
    float[] out = new float[Math.multiplyExact(pixels, target)];
    for (int p = 0; p < pixels; p++) {
      int in = p * channels;
      float r;
      float g;
      float b;
      float a = 1f;
      if (channels == 1) {
        r = g = b = data[in];
      } else {
        r = data[in];
        g = data[in + 1];
        b = data[in + 2];
        if (channels == 4) {
          a = data[in + 3];
        }
      }
      int o = p * target;
      if (target == 4) {
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
        out[o + 3] = a;
        continue;
      }
      if (channels == 4) {
        // Transparent pixels become white, the usual background for viewers and datasets.
        r = r * a + (1f - a);
        g = g * a + (1f - a);
        b = b * a + (1f - a);
      }
      if (target == 3) {
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
      } else {
        // Gray pixels stay exact (the float luma sum can be off by an ulp).
        out[o] = r == g && g == b ? r : 0.299f * r + 0.587f * g + 0.114f * b;
      }
    }
    return new ImageBatch(count, height, width, target, out);
  }

  /** A copy with every value clamped to [0, 1] (NaN becomes 0). */
  public ImageBatch clamped() {
    float[] out = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      float v = data[i];
      out[i] = v >= 1f ? 1f : (v > 0f ? v : 0f); // NaN fails both tests and maps to 0
    }
    return new ImageBatch(count, height, width, channels, out);
  }

  private String describeImage() {
    return height + "x" + width + "x" + channels;
  }

  /** Equal when shapes match and all values are equal (by {@link Arrays#equals(float[], float[])}). */
  @Override
  public boolean equals(Object o) {
    return o instanceof ImageBatch b
        && count == b.count && height == b.height && width == b.width && channels == b.channels
        && Arrays.equals(data, b.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(count, height, width, channels) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "ImageBatch" + Arrays.toString(shape());
  }
}
