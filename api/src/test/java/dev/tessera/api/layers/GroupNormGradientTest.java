package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.graph.NativeOps;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class GroupNormGradientTest {
  private static final long[] SHAPE = {2, 3, 3, 4};

  @Test
  void gradients() {
    GradientChecker.assertGradientsMatch((scope, in) -> new GroupNorm(scope.child("norm"), 4, 2).apply(in.get(0)), SHAPE);
  }

  @Test
  void gradientsOneChannelPerGroup() {
    // Instance norm as a special case (group size 1 channel): the smallest groups, the most curvature.
    GradientChecker.assertGradientsMatch((scope, in) -> new GroupNorm(scope.child("norm"), 4, 4).apply(in.get(0)), SHAPE);
  }

  @Test
  void gradientsWithTheSiluInside() {
    GradientChecker.assertGradientsMatch((scope, in) -> new GroupNorm(scope.child("norm"), 4, 2).applySilu(in.get(0)), SHAPE);
  }

  @Test
  void nativeKernelsAreLoadedWhereTheyWereBuilt() {
    assumeTrue(NativeOps.class.getResource(NativeOps.RESOURCE) != null, "this build has no native kernels (no C compiler)");
    assumeTrue(!"off".equalsIgnoreCase(System.getenv("TESSERA_NATIVE_OPS")), "TESSERA_NATIVE_OPS=off");
    assertEquals("loaded", NativeOps.status());
  }

  @Test
  void nativeKernelAndTensorFlowOpsComputeTheSameFunction() {
    assumeTrue(NativeOps.available(), "native kernels not loaded");
    float[] x = Reference.random(2 * 3 * 3 * 4, 8);
    for (int i = 0; i < x.length; i++) {
      x[i] = 2 * x[i] + 1; // a mean away from zero
    }
    Map<String, float[]> params = Map.of("norm.gamma", new float[] {2, -1, 0.5f, 3}, "norm.beta", new float[] {0.1f, 0.2f, -0.3f, 1});
    for (boolean silu : new boolean[] {false, true}) {
      LayerHarness.Output fused = LayerHarness.run((scope, in) -> {
        GroupNorm norm = new GroupNorm(scope.child("norm"), 4, 2);
        return silu ? norm.applySilu(in.get(0)) : norm.apply(in.get(0));
      }, params, 1, LayerHarness.input(SHAPE, x));
      LayerHarness.Output composed = LayerHarness.run((scope, in) -> {
        Operand<TFloat32> y = new GroupNorm(scope.child("norm"), 4, 2).fromMoments(in.get(0));
        return silu ? Activations.silu(scope.tf(), y) : y;
      }, params, 1, LayerHarness.input(SHAPE, x));
      assertArrayEquals(composed.values(), fused.values(), 1e-5f, "silu " + silu);
    }
  }

  @Test
  void nativeKernelRejectsChannelsThatDoNotSplitIntoGroups() {
    assumeTrue(NativeOps.available(), "native kernels not loaded");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> y = NativeOps.groupNorm(tf, tf.zeros(tf.constant(new long[] {1, 2, 2, 3}), TFloat32.class),
          tf.ones(tf.constant(new long[] {3}), TFloat32.class), tf.zeros(tf.constant(new long[] {3}), TFloat32.class), 2, 1e-5f, false);
      Exception e = assertThrows(Exception.class, () -> s.runner().fetch(y).run().close());
      assertTrue(e.getMessage().contains("divisible by groups"), e.getMessage());
    }
  }

  @Test
  void eachGroupHasMeanZeroAndVarianceOneBeforeGammaAndBeta() {
    // Scaled and shifted input so that the normalisation has real work to do.
    float[] x = Reference.random(2 * 3 * 3 * 4, 5);
    for (int i = 0; i < x.length; i++) {
      x[i] = 3 * x[i] + (i % 4 < 2 ? 5 : -2);
    }
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> new GroupNorm(scope.child("norm"), 4, 2).apply(in.get(0)), LayerHarness.input(SHAPE, x));
    assertArrayEquals(SHAPE, out.shape());
    for (int n = 0; n < 2; n++) {
      for (int g = 0; g < 2; g++) {
        double[] m = groupMoments(out.values(), n, g);
        assertEquals(0, m[0], 1e-5, "mean of image " + n + " group " + g);
        assertEquals(1, m[1], 1e-4, "variance of image " + n + " group " + g);
      }
    }
  }

  @Test
  void gammaAndBetaApplyPerChannel() {
    float[] x = Reference.random(2 * 3 * 3 * 4, 6);
    float[] gamma = {2, -1, 0.5f, 3};
    float[] beta = {0.1f, 0.2f, -0.3f, 1};
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> new GroupNorm(scope.child("norm"), 4, 2).apply(in.get(0)),
        Map.of("norm.gamma", gamma, "norm.beta", beta), 1, LayerHarness.input(SHAPE, x));
    float[] expected = new float[x.length];
    for (int n = 0; n < 2; n++) {
      for (int g = 0; g < 2; g++) {
        double[] m = groupMoments(x, n, g);
        for (int p = 0; p < 9; p++) {
          for (int c = 2 * g; c < 2 * g + 2; c++) {
            int i = (n * 9 + p) * 4 + c;
            expected[i] = (float) ((x[i] - m[0]) / Math.sqrt(m[1] + 1e-5) * gamma[c] + beta[c]);
          }
        }
      }
    }
    assertArrayEquals(expected, out.values(), 1e-5f);
  }

  /** Mean and (biased) variance of group g (channels 2g, 2g+1) of image n in a [2,3,3,4] tensor. */
  private static double[] groupMoments(float[] v, int n, int g) {
    double sum = 0;
    double sq = 0;
    for (int p = 0; p < 9; p++) {
      for (int c = 2 * g; c < 2 * g + 2; c++) {
        double e = v[(n * 9 + p) * 4 + c];
        sum += e;
        sq += e * e;
      }
    }
    double mean = sum / 18;
    return new double[] {mean, sq / 18 - mean * mean};
  }
}
