package dev.tessera.api.augment;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Random views of images, as VQGAN-CLIP's scripts make them of the image they optimise (and as a
 * CLIP is trained on, so that it judges objects, not pixels): per image a random zoom or crop
 * ({@code minScale..maxScale} of the side), shift, rotation, perspective and horizontal flip (one
 * {@link ProjectiveWarp}), then brightness and contrast jitter, random erasing of a rectangle,
 * and Gaussian noise. Differentiable with respect to the images; the random numbers come in as
 * tensors ({@link #DRAWS} uniform numbers per image, and standard normal noise), so a caller
 * decides where they come from: fed from a seed ({@code FedRandomness}) or drawn per training step
 * ({@code StepRandom}).
 *
 * @param minScale smallest side of the view as a share of the image's (below 1: a crop)
 * @param maxScale largest (above 1: zoomed out, the image smaller inside the view)
 * @param translate extra shift of the view's centre, as a share of the half-side, beyond what a crop's slack allows
 * @param rotationDegrees rotation drawn from [-r, r]
 * @param perspective perspective terms g and h drawn from [-p, p]
 * @param flip probability of a horizontal flip
 * @param brightness added level drawn from [-b, b] (images in [0, 1])
 * @param contrast contrast factor drawn from [1 - c, 1 + c], around each image's mean
 * @param erase probability of erasing one rectangle (to the fill value)
 * @param eraseSize the erased rectangle's largest side, as a share of the view's (the smallest is half of it)
 * @param noise standard deviation of the added Gaussian noise
 */
public record RandomViews(double minScale, double maxScale, double translate, double rotationDegrees, double perspective, double flip,
    double brightness, double contrast, double erase, double eraseSize, double noise) {
  /** Uniform numbers per image the views use. */
  public static final int DRAWS = 13;

  /** No change at all. */
  public static final RandomViews NONE = new RandomViews(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  /** Square crops of 60-100% of the side and noise 0.05: the CLIP guidance's views until 2026-12-06. */
  public static final RandomViews CROPS = new RandomViews(0.6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0.05);
  /** Mild: for training a CLIP on real images, which must stay recognisable. */
  public static final RandomViews LIGHT = new RandomViews(0.85, 1.1, 0.05, 10, 0.05, 0.5, 0.1, 0.15, 0.25, 0.3, 0.02);
  /**
   * As the public VQGAN-CLIP scripts augment their cutouts (random affine and perspective, flips,
   * noise, colour jitter, erasing), scaled to 28x28 images.
   */
  public static final RandomViews STRONG = new RandomViews(0.6, 1.1, 0.1, 15, 0.1, 0.5, 0.1, 0.2, 0.3, 0.4, 0.05);

  private static final Map<String, RandomViews> PRESETS = Map.of("none", NONE, "crops", CROPS, "light", LIGHT, "strong", STRONG);
  /** The presets' names, sorted. */
  public static final List<String> PRESET_NAMES = List.copyOf(new java.util.TreeSet<>(PRESETS.keySet()));
  private static final List<String> KEYS = List.of("min_scale", "max_scale", "translate", "rotation", "perspective", "flip", "brightness",
      "contrast", "erase", "erase_size", "noise");

  public RandomViews {
    check("min_scale", minScale, 0.05, 4);
    check("max_scale", maxScale, minScale, 4);
    check("translate", translate, 0, 2);
    check("rotation", rotationDegrees, 0, 180);
    check("perspective", perspective, 0, 0.5);
    check("flip", flip, 0, 1);
    check("brightness", brightness, 0, 1);
    check("contrast", contrast, 0, 1);
    check("erase", erase, 0, 1);
    check("erase_size", eraseSize, 0, 1);
    check("noise", noise, 0, 1);
  }

  private static void check(String key, double v, double min, double max) {
    if (!(v >= min && v <= max)) {
      throw new TesseraException("view " + key + " must be in [" + min + ", " + max + "], got " + v);
    }
  }

  /**
   * The views a config asks for: the preset named by {@code PREFIX} ("none", "crops", "light",
   * "strong"; {@code fallback} when absent), then any of {@code PREFIX_min_scale},
   * {@code PREFIX_rotation}, ... overriding one field.
   */
  public static RandomViews from(ModelConfig config, String prefix, RandomViews fallback) {
    RandomViews v = fallback;
    if (config.has(prefix)) {
      String name = config.getString(prefix, "");
      v = PRESETS.get(name);
      if (v == null) {
        throw new TesseraException(prefix + " '" + name + "' is not a preset of random views (" + String.join(", ", PRESET_NAMES) + ")");
      }
    }
    double[] f = v.fields();
    for (int i = 0; i < KEYS.size(); i++) {
      f[i] = config.getDouble(prefix + "_" + KEYS.get(i), f[i]);
    }
    return new RandomViews(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]);
  }

  private double[] fields() {
    return new double[] {minScale, maxScale, translate, rotationDegrees, perspective, flip, brightness, contrast, erase, eraseSize, noise};
  }

  /** Whether the views are the images themselves (no draw changes anything). */
  public boolean isIdentity() {
    return equals(NONE);
  }

  /** The settings as config entries under {@code prefix} (for manifests and model cards). */
  public Map<String, Object> describe(String prefix) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    double[] f = fields();
    for (int i = 0; i < KEYS.size(); i++) {
      m.put(prefix + "_" + KEYS.get(i), f[i]);
    }
    return m;
  }

  /**
   * Views of {@code images} [N, H, W, C] (values in [0, 1]) of {@code size} x {@code size}.
   *
   * @param uniform [N, DRAWS] uniform numbers in [0, 1)
   * @param normal [N, size, size, C] standard normal numbers, or null when {@link #noise} is 0
   * @param fill the value of pixels from outside the image and of erased ones (the background)
   */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> images, Operand<TFloat32> uniform, Operand<TFloat32> normal, int size, float fill) {
    Operand<TFloat32> u = tf.stopGradient(uniform);
    Operand<TFloat32> scale = between(tf, draw(tf, u, 0), minScale, maxScale);
    // a crop may move within the image; any view by translate more
    Operand<TFloat32> slack = tf.math.add(tf.math.maximum(tf.math.sub(tf.constant(1f), scale), tf.constant(0f)), tf.constant((float) translate));
    Operand<TFloat32> tx = tf.math.mul(slack, between(tf, draw(tf, u, 1), -1, 1));
    Operand<TFloat32> ty = tf.math.mul(slack, between(tf, draw(tf, u, 2), -1, 1));
    Operand<TFloat32> angle = between(tf, draw(tf, u, 3), -Math.toRadians(rotationDegrees), Math.toRadians(rotationDegrees));
    Operand<TFloat32> g = between(tf, draw(tf, u, 4), -perspective, perspective);
    Operand<TFloat32> hp = between(tf, draw(tf, u, 5), -perspective, perspective);
    // -1 where flipped: x of the output reads -x of the input
    Operand<TFloat32> mirror = tf.math.sub(tf.constant(1f),
        tf.math.mul(tf.constant(2f), tf.dtypes.cast(tf.math.less(draw(tf, u, 6), tf.constant((float) flip)), TFloat32.class)));
    Operand<TFloat32> cos = tf.math.mul(scale, tf.math.cos(angle));
    Operand<TFloat32> sin = tf.math.mul(scale, tf.math.sin(angle));
    Operand<TFloat32> matrices = tf.concat(List.of(tf.math.mul(cos, mirror), tf.math.neg(sin), tx, tf.math.mul(sin, mirror), cos, ty, g, hp),
        tf.constant(1)); // [N, 8]
    Operand<TFloat32> views = ProjectiveWarp.apply(tf, images, matrices, size, fill);
    long channels = images.shape().size(3);
    Operand<TFloat32> v4 = tf.reshape(u, tf.constant(new long[] {-1, 1, 1, DRAWS}));
    if (contrast > 0 || brightness > 0) {
      Operand<TFloat32> mean = tf.math.mean(views, tf.constant(new int[] {1, 2, 3}), Mean.keepDims(true));
      Operand<TFloat32> factor = between(tf, draw4(tf, v4, 8), 1 - contrast, 1 + contrast);
      Operand<TFloat32> level = between(tf, draw4(tf, v4, 7), -brightness, brightness);
      views = tf.math.add(tf.math.add(tf.math.mul(tf.math.sub(views, mean), factor), mean), level);
    }
    if (erase > 0 && eraseSize > 0) {
      Operand<TFloat32> on = tf.dtypes.cast(tf.math.less(draw4(tf, v4, 9), tf.constant((float) erase)), TFloat32.class);
      Operand<TFloat32> half = tf.math.mul(between(tf, draw4(tf, v4, 12), eraseSize / 2, eraseSize), tf.constant(0.5f));
      Operand<TFloat32> mask = tf.math.mul(on, tf.math.mul(band(tf, draw4(tf, v4, 10), half, size, 2), band(tf, draw4(tf, v4, 11), half, size, 1)));
      views = tf.math.add(tf.math.mul(views, tf.math.sub(tf.constant(1f), mask)), tf.math.mul(mask, tf.constant(fill)));
    }
    if (noise > 0) {
      if (normal == null) {
        throw new IllegalArgumentException("random views with noise need normal draws");
      }
      views = tf.math.add(views, tf.math.mul(tf.constant((float) noise), tf.stopGradient(normal)));
    }
    return views;
  }

  /** u[:, k] as [N, 1]. */
  private static Operand<TFloat32> draw(Ops tf, Operand<TFloat32> u, int k) {
    return tf.slice(u, tf.constant(new int[] {0, k}), tf.constant(new int[] {-1, 1}));
  }

  /** u[:, k] as [N, 1, 1, 1], from u as [N, 1, 1, DRAWS]. */
  private static Operand<TFloat32> draw4(Ops tf, Operand<TFloat32> u4, int k) {
    return tf.slice(u4, tf.constant(new int[] {0, 0, 0, k}), tf.constant(new int[] {-1, 1, 1, 1}));
  }

  private static Operand<TFloat32> between(Ops tf, Operand<TFloat32> u, double lo, double hi) {
    return tf.math.add(tf.constant((float) lo), tf.math.mul(u, tf.constant((float) (hi - lo))));
  }

  /**
   * 1 on the pixels whose normalised centre along {@code axis} (1: rows, 2: columns) lies within
   * {@code half} of the centre {@code 2u - 1}: [N, size, 1, 1] or [N, 1, size, 1].
   */
  private static Operand<TFloat32> band(Ops tf, Operand<TFloat32> u, Operand<TFloat32> half, int size, int axis) {
    float[] centres = new float[size];
    for (int i = 0; i < size; i++) {
      centres[i] = (2f * i + 1f) / size - 1f;
    }
    long[] shape = axis == 1 ? new long[] {1, size, 1, 1} : new long[] {1, 1, size, 1};
    Operand<TFloat32> grid = tf.reshape(tf.constant(centres), tf.constant(shape));
    Operand<TFloat32> centre = between(tf, u, -1, 1);
    return tf.dtypes.cast(tf.math.lessEqual(tf.math.abs(tf.math.sub(grid, centre)), half), TFloat32.class);
  }
}
