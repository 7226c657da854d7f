package dev.tessera.api.layers;

import java.util.SplittableRandom;

/** Plain-Java reference implementations (NHWC, row-major) the layer value tests compare with. */
final class Reference {
  private Reference() {}

  static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return v;
  }

  /** TensorFlow's output size and leading padding for one spatial axis. */
  static int[] outputAndPad(int in, int k, int stride, String padding) {
    if (padding.equals("VALID")) {
      return new int[] {(in - k) / stride + 1, 0};
    }
    int out = (in + stride - 1) / stride;
    int total = Math.max((out - 1) * stride + k - in, 0);
    return new int[] {out, total / 2}; // TF puts the odd pixel of padding at the end
  }

  /** conv2d of x [n,h,w,cin] with kernel [k,k,cin,cout] plus bias (may be null). */
  static float[] conv2d(float[] x, int n, int h, int w, int cin, float[] kernel, int k, int cout, float[] bias, int stride, String padding) {
    int[] hp = outputAndPad(h, k, stride, padding);
    int[] wp = outputAndPad(w, k, stride, padding);
    int oh = hp[0];
    int ow = wp[0];
    float[] y = new float[n * oh * ow * cout];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int o = 0; o < cout; o++) {
            double s = bias == null ? 0 : bias[o];
            for (int ki = 0; ki < k; ki++) {
              for (int kj = 0; kj < k; kj++) {
                int yi = i * stride + ki - hp[1];
                int xj = j * stride + kj - wp[1];
                if (yi < 0 || yi >= h || xj < 0 || xj >= w) {
                  continue; // zero padding
                }
                for (int c = 0; c < cin; c++) {
                  s += x[((b * h + yi) * w + xj) * cin + c] * kernel[((ki * k + kj) * cin + c) * cout + o];
                }
              }
            }
            y[((b * oh + i) * ow + j) * cout + o] = (float) s;
          }
        }
      }
    }
    return y;
  }

  /**
   * Transposed convolution with SAME padding: x [n,h,w,cin] -> [n,h*s,w*s,cout], kernel
   * [k,k,cout,cin]; each input pixel scatters kernel * value onto the output, at the positions the
   * forward convolution of the output would have read.
   */
  static float[] convTranspose2d(float[] x, int n, int h, int w, int cin, float[] kernel, int k, int cout, float[] bias, int stride) {
    int oh = h * stride;
    int ow = w * stride;
    int padH = outputAndPad(oh, k, stride, "SAME")[1];
    int padW = outputAndPad(ow, k, stride, "SAME")[1];
    float[] y = new float[n * oh * ow * cout];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          for (int ki = 0; ki < k; ki++) {
            for (int kj = 0; kj < k; kj++) {
              int yi = i * stride + ki - padH;
              int yj = j * stride + kj - padW;
              if (yi < 0 || yi >= oh || yj < 0 || yj >= ow) {
                continue;
              }
              for (int o = 0; o < cout; o++) {
                for (int c = 0; c < cin; c++) {
                  y[((b * oh + yi) * ow + yj) * cout + o] += x[((b * h + i) * w + j) * cin + c] * kernel[((ki * k + kj) * cout + o) * cin + c];
                }
              }
            }
          }
        }
      }
    }
    for (int p = 0; p < y.length; p++) {
      y[p] += bias[p % cout];
    }
    return y;
  }

  static float[] relu(float[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.max(x[i], 0f);
    }
    return y;
  }
}
