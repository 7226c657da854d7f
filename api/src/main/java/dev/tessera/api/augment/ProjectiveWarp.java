package dev.tessera.api.augment;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Resamples images under one projective transform each (a spatial transformer's bilinear
 * sampler), differentiable with respect to the images: crops, zooms, shifts, rotations, flips and
 * perspective are all this one warp with different matrices.
 *
 * <p>Coordinates are normalised to [-1, 1] across the width and height (pixel centres at
 * {@code (2i + 1) / size - 1}). Output pixel (xo, yo) reads the input at
 * <pre>
 *   x = (a xo + b yo + c) / (g xo + h yo + 1),   y = (d xo + e yo + f) / (g xo + h yo + 1)
 * </pre>
 * with per-image {@code [a, b, c, d, e, f, g, h]}, bilinearly; input pixels outside the image
 * read as {@code fill}. The matrices are treated as constants (no gradient flows to them).
 */
public final class ProjectiveWarp {
  /** Numbers per image in the matrix argument: a, b, c, d, e, f, g, h. */
  public static final int PARAMETERS = 8;

  private ProjectiveWarp() {}

  /**
   * @param images [N, H, W, C], H, W and C known
   * @param matrices [N, 8]
   * @param size the output's height and width
   * @return [N, size, size, C]
   */
  public static Operand<TFloat32> apply(Ops tf, Operand<TFloat32> images, Operand<TFloat32> matrices, int size, float fill) {
    long h = images.shape().size(1);
    long w = images.shape().size(2);
    long c = images.shape().size(3);
    if (h <= 0 || w <= 0 || c <= 0) {
      throw new IllegalArgumentException("ProjectiveWarp needs images of known height, width and channels, got " + images.shape());
    }
    int pixels = size * size;
    float[] gx = new float[pixels];
    float[] gy = new float[pixels];
    for (int i = 0; i < size; i++) {
      for (int j = 0; j < size; j++) {
        gx[i * size + j] = (2f * j + 1f) / size - 1f;
        gy[i * size + j] = (2f * i + 1f) / size - 1f;
      }
    }
    Operand<TFloat32> xo = tf.constant(new float[][] {gx}); // [1, P]
    Operand<TFloat32> yo = tf.constant(new float[][] {gy});
    Operand<TFloat32> m = tf.stopGradient(matrices);
    Operand<TFloat32> den = tf.math.add(tf.math.add(tf.math.mul(column(tf, m, 6), xo), tf.math.mul(column(tf, m, 7), yo)), tf.constant(1f));
    Operand<TFloat32> xs = tf.math.div(affine(tf, m, 0, xo, yo), den); // [N, P]
    Operand<TFloat32> ys = tf.math.div(affine(tf, m, 3, xo, yo), den);
    // to pixel coordinates: centre of pixel i at i
    Operand<TFloat32> px = tf.math.sub(tf.math.mul(tf.math.add(xs, tf.constant(1f)), tf.constant(w / 2f)), tf.constant(0.5f));
    Operand<TFloat32> py = tf.math.sub(tf.math.mul(tf.math.add(ys, tf.constant(1f)), tf.constant(h / 2f)), tf.constant(0.5f));
    Operand<TFloat32> x0 = tf.math.floor(px);
    Operand<TFloat32> y0 = tf.math.floor(py);
    Operand<TFloat32> fx = tf.math.sub(px, x0);
    Operand<TFloat32> fy = tf.math.sub(py, y0);
    Operand<TInt32> n = tf.slice(tf.shape(images), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    // the first flat row of each image: [N, 1]
    Operand<TInt32> base = tf.reshape(tf.math.mul(tf.range(tf.constant(0), tf.reshape(n, tf.constant(new int[0])), tf.constant(1)),
        tf.constant((int) (h * w))), tf.constant(new int[] {-1, 1}));
    List<Operand<TInt32>> indices = new ArrayList<>();
    List<Operand<TFloat32>> weights = new ArrayList<>();
    for (int dy = 0; dy <= 1; dy++) {
      for (int dx = 0; dx <= 1; dx++) {
        Operand<TFloat32> xi = tf.math.add(x0, tf.constant((float) dx));
        Operand<TFloat32> yi = tf.math.add(y0, tf.constant((float) dy));
        Operand<TFloat32> inside = tf.math.mul(within(tf, xi, w), within(tf, yi, h));
        Operand<TFloat32> wx = dx == 1 ? fx : tf.math.sub(tf.constant(1f), fx);
        Operand<TFloat32> wy = dy == 1 ? fy : tf.math.sub(tf.constant(1f), fy);
        weights.add(tf.math.mul(tf.math.mul(wx, wy), inside));
        Operand<TInt32> xc = tf.dtypes.cast(tf.clipByValue(xi, tf.constant(0f), tf.constant((float) (w - 1))), TInt32.class);
        Operand<TInt32> yc = tf.dtypes.cast(tf.clipByValue(yi, tf.constant(0f), tf.constant((float) (h - 1))), TInt32.class);
        indices.add(tf.math.add(base, tf.math.add(tf.math.mul(yc, tf.constant((int) w)), xc)));
      }
    }
    Operand<TInt32> index = tf.stopGradient(tf.stack(indices, org.tensorflow.op.core.Stack.axis(2L))); // [N, P, 4]
    Operand<TFloat32> weight = tf.stopGradient(tf.stack(weights, org.tensorflow.op.core.Stack.axis(2L))); // [N, P, 4]
    Operand<TFloat32> flat = tf.reshape(images, tf.constant(new long[] {-1, c}));
    Operand<TFloat32> corners = tf.gather(flat, index, tf.constant(0)); // [N, P, 4, C]
    Operand<TFloat32> mixed = tf.reduceSum(tf.math.mul(corners, tf.expandDims(weight, tf.constant(3))), tf.constant(2)); // [N, P, C]
    if (fill != 0f) {
      Operand<TFloat32> outside = tf.math.sub(tf.constant(1f), tf.reduceSum(weight, tf.constant(2))); // [N, P]
      mixed = tf.math.add(mixed, tf.math.mul(tf.expandDims(outside, tf.constant(2)), tf.constant(fill)));
    }
    return tf.reshape(mixed, tf.constant(new long[] {-1, size, size, c}));
  }

  /** m[:, k] as [N, 1]. */
  private static Operand<TFloat32> column(Ops tf, Operand<TFloat32> m, int k) {
    return tf.slice(m, tf.constant(new int[] {0, k}), tf.constant(new int[] {-1, 1}));
  }

  /** m[:, k] xo + m[:, k+1] yo + m[:, k+2]. */
  private static Operand<TFloat32> affine(Ops tf, Operand<TFloat32> m, int k, Operand<TFloat32> xo, Operand<TFloat32> yo) {
    return tf.math.add(tf.math.add(tf.math.mul(column(tf, m, k), xo), tf.math.mul(column(tf, m, k + 1), yo)), column(tf, m, k + 2));
  }

  /** 1 where 0 <= v <= size - 1, else 0. */
  private static Operand<TFloat32> within(Ops tf, Operand<TFloat32> v, long size) {
    return tf.math.mul(tf.dtypes.cast(tf.math.greaterEqual(v, tf.constant(0f)), TFloat32.class),
        tf.dtypes.cast(tf.math.lessEqual(v, tf.constant((float) (size - 1))), TFloat32.class));
  }
}
