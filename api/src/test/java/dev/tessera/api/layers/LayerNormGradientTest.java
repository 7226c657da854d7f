package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.graph.NativeOps;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerNormGradientTest {

  @Test
  void gradientsRank2() {
    GradientChecker.assertGradientsMatch((scope, in) -> new LayerNorm(scope.child("ln"), 5).apply(in.get(0)), new long[] {3, 5});
  }

  @Test
  void gradientsRank3() {
    GradientChecker.assertGradientsMatch((scope, in) -> new LayerNorm(scope.child("ln"), 4).apply(in.get(0)), new long[] {2, 3, 4});
  }

  @Test
  void nativeKernelAndTensorFlowOpsComputeTheSameFunction() {
    assumeTrue(NativeOps.available(), "native kernels not loaded");
    float[] x = Reference.random(2 * 64 * 64, 9);
    for (int i = 0; i < x.length; i++) {
      x[i] = 3 * x[i] + (i / 64) % 5; // rows with different means; above the kernel's two-thread threshold
    }
    Map<String, float[]> params = Map.of("ln.gamma", Reference.random(64, 10), "ln.beta", Reference.random(64, 11));
    LayerHarness.Input input = LayerHarness.input(new long[] {2, 64, 64}, x);
    LayerHarness.Output fused = LayerHarness.run((scope, in) -> new LayerNorm(scope.child("ln"), 64).apply(in.get(0)), params, 1, input);
    LayerHarness.Output composed = LayerHarness.run((scope, in) -> new LayerNorm(scope.child("ln"), 64).fromMoments(in.get(0)), params, 1, input);
    assertArrayEquals(composed.values(), fused.values(), 1e-5f);
  }

  @Test
  void rowsAreNormalisedThenScaledAndShifted() {
    float[] x = Reference.random(2 * 3 * 4, 8);
    for (int i = 0; i < x.length; i++) {
      x[i] = 4 * x[i] + i / 4; // a different offset per row
    }
    LayerHarness.Input input = LayerHarness.input(new long[] {2, 3, 4}, x);
    LayerHarness.Output plain = LayerHarness.run((scope, in) -> new LayerNorm(scope.child("ln"), 4).apply(in.get(0)), input);
    float[] gamma = {1.5f, -2, 0.25f, 1};
    float[] beta = {0, 1, -1, 0.5f};
    LayerHarness.Output affine = LayerHarness.run(
        (scope, in) -> new LayerNorm(scope.child("ln"), 4).apply(in.get(0)), Map.of("ln.gamma", gamma, "ln.beta", beta), 1, input);
    assertArrayEquals(new long[] {2, 3, 4}, affine.shape());
    for (int row = 0; row < 6; row++) {
      double mean = 0;
      double sq = 0;
      for (int c = 0; c < 4; c++) {
        mean += x[row * 4 + c] / 4.0;
      }
      for (int c = 0; c < 4; c++) {
        sq += Math.pow(x[row * 4 + c] - mean, 2) / 4.0;
      }
      double outMean = 0;
      double outSq = 0;
      for (int c = 0; c < 4; c++) {
        int i = row * 4 + c;
        double normed = (x[i] - mean) / Math.sqrt(sq + 1e-5);
        assertEquals(normed, plain.values()[i], 1e-5, "row " + row);
        assertEquals(normed * gamma[c] + beta[c], affine.values()[i], 1e-5, "row " + row);
        outMean += plain.values()[i] / 4.0;
        outSq += plain.values()[i] * plain.values()[i] / 4.0;
      }
      assertEquals(0, outMean, 1e-6);
      assertEquals(1, outSq, 1e-4);
    }
  }
}
