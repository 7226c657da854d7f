package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Conv2dGradientTest {

  @Test
  void gradientsStride1Same() {
    GradientChecker.assertGradientsMatch((scope, in) -> new Conv2d(scope.child("conv"), 2, 3, 3).apply(in.get(0)), new long[] {1, 5, 5, 2});
  }

  /** A 1x1 convolution (a matrix product over the pixels where Tessera's kernels are preferred). */
  @Test
  void gradientsPointwise() {
    GradientChecker.assertGradientsMatch((scope, in) -> new Conv2d(scope.child("conv"), 3, 4, 1).apply(in.get(0)), new long[] {2, 3, 3, 3});
  }

  /** 3x3 with 16 input and 20 output channels: on Tessera's kernel where preferred, the output padded to 32 channels. */
  @Test
  void gradientsWideChannels() {
    GradientChecker.assertGradientsMatch((scope, in) -> new Conv2d(scope.child("conv"), 16, 20, 3).apply(in.get(0)), new long[] {1, 3, 4, 16});
  }

  @Test
  void gradientsStride2Same() {
    // 6 -> 3 with k = 3: TF pads one pixel, at the end only (asymmetric SAME padding).
    GradientChecker.assertGradientsMatch((scope, in) -> new Conv2d(scope.child("conv"), 2, 3, 3, 2).apply(in.get(0)), new long[] {1, 6, 6, 2});
  }

  @Test
  void gradientsValidWithoutBias() {
    GradientChecker.Report r = GradientChecker.assertGradientsMatch(
        (scope, in) -> new Conv2d(scope.child("conv"), 2, 3, 3, 1, "VALID", false).apply(in.get(0)), new long[] {2, 5, 5, 2});
    assertArrayEquals(new long[] {3, 3, 2, 3}, r.tensor("conv.kernel").shape());
  }

  /** 1x4x4x1 image 1..16 and kernel 1..9 in every padding/stride mode, against the Java reference. */
  @Test
  void knownKernelOnA4x4Image() {
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) {
      x[i] = i + 1;
    }
    float[] k = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    // Hand-checked corner: SAME stride 1 at (0,0) sees x[0..1, 0..1] under kernel centre rows 1..2, cols 1..2:
    // 5*1 + 6*2 + 8*5 + 9*6 = 111.
    float[] same = conv(x, k, 1, "SAME", new long[] {1, 4, 4, 1});
    org.junit.jupiter.api.Assertions.assertEquals(111f, same[0], 1e-4f);
    assertArrayEquals(Reference.conv2d(x, 1, 4, 4, 1, k, 3, 1, null, 1, "SAME"), same, 1e-3f);
    // Stride 2 SAME: outputs 2x2, padding one pixel at the bottom/right only, so (0,0) is centred at x(1,1).
    float[] strided = conv(x, k, 2, "SAME", new long[] {1, 2, 2, 1});
    assertArrayEquals(Reference.conv2d(x, 1, 4, 4, 1, k, 3, 1, null, 2, "SAME"), strided, 1e-3f);
    float[] valid = conv(x, k, 1, "VALID", new long[] {1, 2, 2, 1});
    // VALID (0,0): sum_{i,j<3} x(i,j) * k(i,j) = 1*1+2*2+3*3+5*4+6*5+7*6+9*7+10*8+11*9 = 348.
    org.junit.jupiter.api.Assertions.assertEquals(348f, valid[0], 1e-4f);
    assertArrayEquals(Reference.conv2d(x, 1, 4, 4, 1, k, 3, 1, null, 1, "VALID"), valid, 1e-3f);
  }

  private static float[] conv(float[] x, float[] k, int stride, String padding, long[] expectedShape) {
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> new Conv2d(scope.child("conv"), 1, 1, 3, stride, padding, false).apply(in.get(0)),
        Map.of("conv.kernel", k), 1, LayerHarness.input(new long[] {1, 4, 4, 1}, x));
    assertArrayEquals(expectedShape, out.shape());
    return out.values();
  }

  @Test
  void multiChannelValuesWithBias() {
    float[] x = Reference.random(2 * 5 * 5 * 2, 3);
    for (int stride = 1; stride <= 2; stride++) {
      int s = stride;
      LayerHarness.Output out = LayerHarness.run(
          (scope, in) -> new Conv2d(scope.child("conv"), 2, 3, 3, s).apply(in.get(0)),
          LayerHarness.input(new long[] {2, 5, 5, 2}, x));
      float[] expected = Reference.conv2d(x, 2, 5, 5, 2, out.variable("conv.kernel"), 3, 3, out.variable("conv.bias"), s, "SAME");
      assertArrayEquals(new long[] {2, s == 1 ? 5 : 3, s == 1 ? 5 : 3, 3}, out.shape());
      assertArrayEquals(expected, out.values(), 1e-5f);
    }
  }
}
