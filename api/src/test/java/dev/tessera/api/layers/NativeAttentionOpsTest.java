package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.graph.NativeOps;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The native kernels of the transformer layers (head split, attention softmax, residual + layer
 * norm): numeric gradients, and the same values as the TensorFlow ops they replace, below and
 * above the size where the kernels start a second thread (32,768 values).
 */
class NativeAttentionOpsTest {

  @BeforeEach
  void requireKernels() {
    assumeTrue(NativeOps.available(), "native kernels not loaded");
  }

  @Test
  void splitHeadsGradients() {
    // x [2, 3, 4] and its bias [4] are both checked.
    GradientChecker.assertGradientsMatch((scope, in) -> NativeOps.splitHeads(scope.tf(), in.get(0), in.get(1), 2), new long[] {2, 3, 4},
        new long[] {4});
  }

  @Test
  void fusedSplitHeadsGradients() {
    // One [1, 3, 3 * 4] product cut into q, k and v; each part weighted differently in the loss.
    GradientChecker.assertGradientsMatch((scope, in) -> {
      Ops tf = scope.tf();
      List<Operand<TFloat32>> qkv = NativeOps.splitHeads(tf, in.get(0), in.get(1), 2, 3);
      return tf.math.add(tf.math.add(qkv.get(0), tf.math.mul(qkv.get(1), tf.constant(2f))), tf.math.mul(qkv.get(2), tf.constant(-3f)));
    }, new long[] {1, 3, 12}, new long[] {12});
  }

  @Test
  void splitHeadsIsTheTransposedSumOfEachPart() {
    for (long t : new long[] {3, 64}) { // 4 x 3 x 48 values on one thread, 4 x 64 x 48 on two
      long[] shape = {4, t, 48};
      float[] x = Reference.random((int) (4 * t * 48), 3);
      float[] bias = Reference.random(48, 4);
      for (int part = 0; part < 3; part++) {
        int p = part;
        LayerHarness.Output fused = LayerHarness.run(
            (scope, in) -> NativeOps.splitHeads(scope.tf(), in.get(0), in.get(1), 4, 3).get(p),
            LayerHarness.input(shape, x), LayerHarness.input(new long[] {48}, bias));
        LayerHarness.Output composed = LayerHarness.run((scope, in) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> sum = tf.math.add(in.get(0), in.get(1));
          Operand<TFloat32> slice = tf.slice(sum, tf.constant(new int[] {0, 0, 16 * p}), tf.constant(new int[] {-1, -1, 16}));
          return tf.linalg.transpose(tf.reshape(slice, tf.constant(new long[] {-1, t, 4, 4})), tf.constant(new int[] {0, 2, 1, 3}));
        }, LayerHarness.input(shape, x), LayerHarness.input(new long[] {48}, bias));
        assertArrayEquals(new long[] {4, 4, t, 4}, fused.shape());
        assertArrayEquals(composed.values(), fused.values(), 0f, "part " + p + ", T " + t);
      }
    }
  }

  @Test
  void splitHeadsRejectsAWidthTheHeadsDoNotDivide() {
    RuntimeException e = assertThrows(RuntimeException.class, () -> LayerHarness.run(
        (scope, in) -> NativeOps.splitHeads(scope.tf(), in.get(0), in.get(1), 3),
        LayerHarness.input(new long[] {1, 2, 4}, new float[8]), LayerHarness.input(new long[] {4}, new float[4])));
    assertTrue(e.getMessage().contains("TesseraSplitHeads: x must be [B, T, parts * D] with D divisible by heads"), e.getMessage());
  }

  @Test
  void attentionSoftmaxGradients() {
    GradientChecker.Options options = GradientChecker.Options.defaults().withInputRange(-2, 2);
    // all keys; causal over a whole sequence; causal for 2 queries at positions 2 and 3 over 5 cached keys
    GradientChecker.assertGradientsMatch(options,
        (scope, in) -> NativeOps.attentionSoftmax(scope.tf(), in.get(0), scope.tf().constant(0), 0.5f, false), new long[] {2, 3, 4});
    GradientChecker.assertGradientsMatch(options,
        (scope, in) -> NativeOps.attentionSoftmax(scope.tf(), in.get(0), scope.tf().constant(0), 0.5f, true), new long[] {1, 2, 4, 4});
    GradientChecker.assertGradientsMatch(options,
        (scope, in) -> NativeOps.attentionSoftmax(scope.tf(), in.get(0), scope.tf().constant(2), 0.7f, true), new long[] {1, 2, 2, 5});
  }

  @Test
  void attentionSoftmaxIsTheMaskedSoftmaxOfTheScaledScores() {
    // [1, 2, 4, 6] (one thread) and [2, 8, 48, 48] (two); starts 0 (a whole sequence) and 2 (a
    // chunk after two cached positions: later keys are masked).
    for (long[] shape : new long[][] {{1, 2, 4, 6}, {2, 8, 48, 48}}) {
      for (int start : new int[] {0, 2}) {
        int t = (int) shape[2];
        int s = (int) shape[3];
        float[] scores = Reference.random((int) (shape[0] * shape[1] * t * s), 5 + start);
        float[][] mask = new float[t][s];
        for (int i = 0; i < t; i++) {
          for (int j = start + i + 1; j < s; j++) {
            mask[i][j] = -1e9f;
          }
        }
        LayerHarness.Output fused = LayerHarness.run(
            (scope, in) -> NativeOps.attentionSoftmax(scope.tf(), in.get(0), scope.tf().constant(start), 0.25f, true),
            LayerHarness.input(shape, scores));
        LayerHarness.Output composed = LayerHarness.run((scope, in) -> {
          Ops tf = scope.tf();
          return tf.nn.softmax(tf.math.add(tf.math.mul(in.get(0), tf.constant(0.25f)), tf.constant(mask)));
        }, LayerHarness.input(shape, scores));
        assertArrayEquals(composed.values(), fused.values(), 1e-6f, "shape " + java.util.Arrays.toString(shape) + ", start " + start);
        for (int i = 0; i < t; i++) {
          for (int j = start + i + 1; j < s; j++) {
            assertTrue(fused.values()[i * s + j] == 0f, "masked weight (" + i + ", " + j + ") is exactly 0");
          }
        }
      }
    }
  }

  @Test
  void residualLayerNormGradients() {
    // The loss uses both outputs, h (the residual stream) and its norm, so the kernel's gradient
    // adds h's gradient from both; x, res, bias and the norm's gamma and beta are all checked.
    GradientChecker.assertGradientsMatch((scope, in) -> {
      LayerNorm.Residual r = new LayerNorm(scope.child("ln"), 4).applyResidual(in.get(0), in.get(1), in.get(2));
      return scope.tf().math.add(r.sum(), scope.tf().math.mul(r.normed(), scope.tf().constant(2f)));
    }, new long[] {2, 3, 4}, new long[] {2, 3, 4}, new long[] {4});
  }

  @Test
  void residualLayerNormGradientsOfEitherOutputAlone() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new LayerNorm(scope.child("ln"), 4).applyResidual(in.get(0), in.get(1), in.get(2)).normed(),
        new long[] {3, 4}, new long[] {3, 4}, new long[] {4});
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new LayerNorm(scope.child("ln"), 4).applyResidual(in.get(0), in.get(1), in.get(2)).sum(),
        new long[] {3, 4}, new long[] {3, 4}, new long[] {4});
  }

  @Test
  void residualLayerNormIsTheNormOfTheSum() {
    Map<String, float[]> params = Map.of("ln.gamma", Reference.random(64, 10), "ln.beta", Reference.random(64, 11));
    for (long rows : new long[] {6, 1024}) { // 6 x 64 values on one thread, 1024 x 64 on two
      long[] shape = {2, rows / 2, 64};
      LayerHarness.Input x = LayerHarness.input(shape, Reference.random((int) (rows * 64), 1));
      LayerHarness.Input res = LayerHarness.input(shape, Reference.random((int) (rows * 64), 2));
      LayerHarness.Input bias = LayerHarness.input(new long[] {64}, Reference.random(64, 3));
      for (boolean normed : new boolean[] {false, true}) {
        LayerHarness.Output fused = LayerHarness.run((scope, in) -> {
          LayerNorm.Residual r = new LayerNorm(scope.child("ln"), 64).applyResidual(in.get(0), in.get(1), in.get(2));
          return normed ? r.normed() : r.sum();
        }, params, 1, x, res, bias);
        LayerHarness.Output composed = LayerHarness.run((scope, in) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> h = tf.math.add(in.get(0), tf.math.add(in.get(1), in.get(2)));
          LayerNorm norm = new LayerNorm(scope.child("ln"), 64);
          return normed ? norm.fromMoments(h) : h;
        }, params, 1, x, res, bias);
        assertArrayEquals(composed.values(), fused.values(), 1e-5f, (normed ? "norm" : "sum") + ", " + rows + " rows");
      }
    }
  }

  @Test
  void residualLayerNormRejectsMismatchedShapes() {
    RuntimeException e = assertThrows(RuntimeException.class, () -> LayerHarness.run(
        (scope, in) -> new LayerNorm(scope.child("ln"), 4).applyResidual(in.get(0), in.get(1), in.get(2)).normed(),
        LayerHarness.input(new long[] {2, 4}, new float[8]), LayerHarness.input(new long[] {1, 4}, new float[4]),
        LayerHarness.input(new long[] {4}, new float[4])));
    assertTrue(e.getMessage().contains("TesseraResidualLayerNorm: x and res must have the same shape"), e.getMessage());
  }
}
