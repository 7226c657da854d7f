package dev.tessera.runtime.data;

import dev.tessera.api.types.ImageBatch;
import java.util.Arrays;

/**
 * What an image's pixels say beyond its class, measured so a caption can state it: how bright
 * the object is, whether it is plain or patterned, and how much of the frame it fills. The object
 * is the pixels above {@link #OBJECT_LEVEL} (Fashion-MNIST's background is black).
 *
 * <ul>
 *   <li>brightness: the mean level of the object's pixels;
 *   <li>pattern: the mean absolute difference between horizontally or vertically neighbouring
 *       pixels that are both on the object (texture, stripes, print), over the object's mean level,
 *       so a dark plain shirt and a light plain shirt read as equally plain;
 *   <li>size: the share of the frame the object covers.
 * </ul>
 */
public final class ImageAttributes {
  /** Pixels above this level (of 1) belong to the object. */
  public static final float OBJECT_LEVEL = 0.1f;

  /** The three measures of one image. */
  public record Measures(double brightness, double pattern, double size) {
    /** The measure by index: 0 brightness, 1 pattern, 2 size. */
    public double get(int attribute) {
      return attribute == 0 ? brightness : attribute == 1 ? pattern : size;
    }
  }

  /** The attributes' names, in {@link Measures#get} order. */
  public static final String[] NAMES = {"brightness", "pattern", "size"};
  /** The words for the low and the high end of each attribute. */
  public static final String[][] WORDS = {{"dark", "light"}, {"plain", "patterned"}, {"small", "large"}};

  private ImageAttributes() {}

  /** The measures of image {@code i} (its first channel). */
  public static Measures measure(ImageBatch images, int i) {
    int h = images.height();
    int w = images.width();
    int c = images.channels();
    float[] px = new float[h * w];
    float[] data = images.data();
    int base = i * h * w * c;
    for (int p = 0; p < h * w; p++) {
      px[p] = data[base + p * c];
    }
    double sum = 0;
    int on = 0;
    double diff = 0;
    int pairs = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float v = px[y * w + x];
        if (v <= OBJECT_LEVEL) {
          continue;
        }
        sum += v;
        on++;
        if (x + 1 < w && px[y * w + x + 1] > OBJECT_LEVEL) {
          diff += Math.abs(v - px[y * w + x + 1]);
          pairs++;
        }
        if (y + 1 < h && px[(y + 1) * w + x] > OBJECT_LEVEL) {
          diff += Math.abs(v - px[(y + 1) * w + x]);
          pairs++;
        }
      }
    }
    double brightness = on == 0 ? 0 : sum / on;
    double pattern = pairs == 0 || brightness == 0 ? 0 : diff / pairs / brightness;
    return new Measures(brightness, pattern, (double) on / (h * w));
  }

  /** The measures of every image of a batch. */
  public static Measures[] measureAll(ImageBatch images) {
    Measures[] out = new Measures[images.count()];
    for (int i = 0; i < out.length; i++) {
      out[i] = measure(images, i);
    }
    return out;
  }

  /**
   * Per class and attribute, the levels below which an image is called by the low word and above
   * which by the high word: the class's lower and upper quartiles. Images in between get no word
   * for that attribute.
   *
   * @param measures each image's, as {@link #measureAll} gives them
   * @return [class][attribute][0 low, 1 high]
   */
  public static double[][][] quartiles(Measures[] measures, int[] labels, int classes) {
    double[][][] out = new double[classes][3][2];
    for (int k = 0; k < classes; k++) {
      int count = 0;
      for (int label : labels) {
        count += label == k ? 1 : 0;
      }
      double[][] values = new double[3][count];
      int j = 0;
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] != k) {
          continue;
        }
        for (int a = 0; a < 3; a++) {
          values[a][j] = measures[i].get(a);
        }
        j++;
      }
      for (int a = 0; a < 3; a++) {
        Arrays.sort(values[a]);
        out[k][a][0] = count == 0 ? Double.NaN : values[a][count / 4];
        out[k][a][1] = count == 0 ? Double.NaN : values[a][count - 1 - count / 4];
      }
    }
    return out;
  }

  /** The word for one attribute of a measured image, or null when it lies between its class's quartiles. */
  public static String word(Measures m, int attribute, double[] quartiles) {
    double v = m.get(attribute);
    if (v < quartiles[0]) {
      return WORDS[attribute][0];
    }
    if (v > quartiles[1]) {
      return WORDS[attribute][1];
    }
    return null;
  }
}
