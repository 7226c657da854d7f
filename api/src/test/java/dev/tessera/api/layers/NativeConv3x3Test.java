package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.graph.CpuInfo;
import dev.tessera.api.graph.NativeOps;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.graph.Tensors;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Tessera's 3x3 convolution kernel against TensorFlow's: the same outputs and the same gradients
 * (input, kernel, bias) within float rounding, over the block shapes the kernel uses (16, 32 and
 * 64 output channels per block, rows that do and do not fill a block, one input channel as the
 * U-Net's first layer has; larger images of many rows), and numeric gradients.
 */
class NativeConv3x3Test {
  @BeforeEach
  void requireKernel() {
    assumeTrue(NativeOps.available(), "native kernels not loaded");
    assumeTrue(CpuInfo.current().has("avx512f"), "the kernel needs AVX-512F");
  }

  /** [N, H, W, Ci] x [3, 3, Ci, Co] for each block width, and widths that fill 0, 1 or several blocks. */
  static final int[][] SHAPES = {{2, 5, 7, 1, 16}, {1, 8, 8, 16, 32}, {2, 6, 13, 32, 64}, {1, 4, 25, 8, 128}, {3, 3, 3, 16, 48},
      {2, 12, 12, 24, 32}, {1, 9, 20, 40, 64}};

  @Test
  void valuesAndGradientsAreTensorFlowsConvolution() {
    for (int[] s : SHAPES) {
      long[] xs = {s[0], s[1], s[2], s[3]};
      long[] ws = {3, 3, s[3], s[4]};
      float[] x = Reference.random((int) (xs[0] * xs[1] * xs[2] * xs[3]), 1);
      float[] w = Reference.random((int) (9L * s[3] * s[4]), 2);
      float[] b = Reference.random(s[4], 3);
      float[] weights = Reference.random(s[0] * s[1] * s[2] * s[4], 4); // a loss that weights every output differently
      List<float[]> nativeRun = run(true, xs, ws, x, w, b, weights);
      List<float[]> tfRun = run(false, xs, ws, x, w, b, weights);
      String shape = java.util.Arrays.toString(s);
      String[] names = {"values", "input gradient", "kernel gradient", "bias gradient"};
      for (int i = 0; i < 4; i++) {
        assertClose(tfRun.get(i), nativeRun.get(i), shape + " " + names[i]);
      }
    }
  }

  @Test
  void numericGradients() {
    GradientChecker.assertGradientsMatch((scope, in) -> NativeOps.conv3x3(scope.tf(), in.get(0), in.get(1), in.get(2)), new long[] {1, 4, 5, 16},
        new long[] {3, 3, 16, 16}, new long[] {16});
  }

  /** The convolution's outputs and the gradients of a weighted sum of them for x, w and b. */
  private static List<float[]> run(boolean nativeKernel, long[] xs, long[] ws, float[] x, float[] w, float[] b, float[] weights) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(xs)));
      Placeholder<TFloat32> wp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(ws)));
      Placeholder<TFloat32> bp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(ws[3])));
      Operand<TFloat32> y = nativeKernel ? NativeOps.conv3x3(tf, xp, wp, bp)
          : tf.nn.biasAdd(tf.nn.conv2d(xp, wp, List.of(1L, 1L, 1L, 1L), "SAME"), bp);
      Operand<TFloat32> loss = tf.reduceSum(weighted(tf, y, weights), tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {xp.asOutput(), wp.asOutput(), bp.asOutput()});
      try (Session session = new Session(g); TFloat32 xt = Tensors.floats(xs, x); TFloat32 wt = Tensors.floats(ws, w);
          TFloat32 bt = Tensors.floats(new long[] {ws[3]}, b);
          Result r = session.runner().feed(xp, xt).feed(wp, wt).feed(bp, bt).fetch(y).fetch(grads[0]).fetch(grads[1]).fetch(grads[2]).run()) {
        List<float[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
          out.add(Tensors.toFloats((TFloat32) r.get(i)));
        }
        return out;
      }
    }
  }

  private static Operand<TFloat32> weighted(Ops tf, Operand<TFloat32> y, float[] weights) {
    return tf.math.mul(y, tf.reshape(tf.constant(weights), tf.shape(y)));
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    double scale = 0;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * scale + 1e-6, what + " at " + i);
    }
  }
}
