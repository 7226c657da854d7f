package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import org.junit.jupiter.api.Test;

class ConvTranspose2dGradientTest {

  @Test
  void gradientsStride2Kernel3() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new ConvTranspose2d(scope.child("up"), 2, 3, 3, 2).apply(in.get(0)), new long[] {1, 3, 3, 2});
  }

  @Test
  void gradientsStride2Kernel4() {
    // The usual upsampling choice (k = 2 * stride): symmetric padding, every output sees 2x2 inputs.
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new ConvTranspose2d(scope.child("up"), 2, 2, 4, 2).apply(in.get(0)), new long[] {2, 2, 3, 2});
  }

  @Test
  void outputShapeDoublesAndValuesMatchJava() {
    for (int k : new int[] {3, 4}) {
      float[] x = Reference.random(2 * 3 * 2 * 2, k);
      LayerHarness.Output out = LayerHarness.run(
          (scope, in) -> new ConvTranspose2d(scope.child("up"), 2, 3, k, 2).apply(in.get(0)),
          LayerHarness.input(new long[] {2, 3, 2, 2}, x));
      assertArrayEquals(new long[] {2, 6, 4, 3}, out.shape(), "[N, 2H, 2W, out]");
      float[] expected = Reference.convTranspose2d(x, 2, 3, 2, 2, out.variable("up.kernel"), k, 3, out.variable("up.bias"), 2);
      assertArrayEquals(expected, out.values(), 1e-5f, "kernel size " + k);
    }
  }
}
