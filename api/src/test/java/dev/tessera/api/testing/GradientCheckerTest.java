package dev.tessera.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.graph.Initializers;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.LayerNorm;
import dev.tessera.api.testing.GradientChecker.Options;
import dev.tessera.api.testing.GradientChecker.Report;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/** The checker must pass correct gradients and, above all, fail wrong ones. */
class GradientCheckerTest {

  @Test
  void correctGradientsPass() {
    // x^3 + sin(x) * W: smooth, with a nonlinear input and a variable path.
    Report report = GradientChecker.assertGradientsMatch(
        (scope, in) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> x = in.get(0);
          Operand<TFloat32> w = scope.child("m").parameter("w", new long[] {3}, Initializers.uniform(1));
          return tf.math.add(tf.math.mul(tf.math.square(x), x), tf.math.mul(tf.math.sin(x), w));
        },
        new long[] {2, 3});
    assertEquals(2, report.tensors().size());
    assertEquals(6, report.tensor("input0").checked());
    assertEquals(3, report.tensor("m.w").checked());
    assertTrue(report.tensor("input0").maxAbsError() < 1e-3, report.toString());
  }

  @Test
  void stopGradientOnHalfThePathIsReportedWithTensorAndCoordinate() {
    // x * stopGradient(x): TF reports d/dx = x, the true derivative of x^2 is 2x (a factor 2).
    GradientChecker.LossBuilder wrong = (scope, in) -> scope.tf().math.mul(in.get(0), scope.tf().stopGradient(in.get(0)));
    Report report = GradientChecker.check(wrong, new long[] {2, 3});
    assertFalse(report.passed());
    assertFalse(report.tensor("input0").mismatches().isEmpty());
    AssertionError e = assertThrows(AssertionError.class, report::assertPassed);
    assertTrue(e.getMessage().contains("input0["), e.getMessage());
    assertTrue(e.getMessage().contains("analytic"), e.getMessage());
  }

  @Test
  void wrongSignIsReported() {
    // y = x - 2 stopGradient(x): the value is -x (derivative -1), TF's gradient is +1.
    AssertionError e = assertThrows(AssertionError.class, () -> GradientChecker.assertGradientsMatch(
        (scope, in) -> scope.tf().math.sub(in.get(0), scope.tf().math.mul(scope.tf().constant(2f), scope.tf().stopGradient(in.get(0)))),
        new long[] {4}));
    assertTrue(e.getMessage().contains("input0"), e.getMessage());
  }

  @Test
  void wrongVariableGradientIsReportedByName() {
    // y = x W + x stopGradient(W): the value is 2 x W, TF's dW covers only the first term.
    Report report = GradientChecker.check(
        (scope, in) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> w = scope.child("dense").parameter("kernel", new long[] {3, 2}, Initializers.uniform(1));
          return tf.math.add(tf.linalg.matMul(in.get(0), w), tf.linalg.matMul(in.get(0), tf.stopGradient(w)));
        },
        new long[] {2, 3});
    assertTrue(report.tensor("input0").passed(), report.toString());
    assertFalse(report.tensor("dense.kernel").passed(), report.toString());
    AssertionError e = assertThrows(AssertionError.class, report::assertPassed);
    assertTrue(e.getMessage().contains("dense.kernel["), e.getMessage());
  }

  @Test
  void gradientRoutedToTheWrongOutputIsReported() {
    // Value: reverse(x) * c. Gradient pretends it is x * c (no reversal): every element of the
    // output still depends on one input with the same weight, so only R's per-element weights see it.
    Report report = GradientChecker.check(
        (scope, in) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> x = in.get(0);
          Operand<TFloat32> reversed = tf.reverse(x, tf.constant(new int[] {0}));
          Operand<TFloat32> fake = tf.math.add(x, tf.stopGradient(tf.math.sub(reversed, x)));
          return tf.math.mul(fake, tf.constant(3f));
        },
        new long[] {6});
    assertFalse(report.passed(), report.toString());
  }

  @Test
  void reluKinksAreSkippedNotFailed() {
    // Inputs spread over [-1, 1]: a few coordinates may sit within eps of 0 and be skipped.
    Report ok = GradientChecker.assertGradientsMatch((scope, in) -> scope.tf().nn.relu(in.get(0)), new long[] {40});
    assertEquals(30, ok.tensor("input0").checked() + ok.tensor("input0").skipped(), "30 sampled of 40");

    // Inputs closer to the kink than the smallest step (eps / 8 = 1.25e-3): never smooth.
    for (double range : new double[] {5e-4, 1e-6}) { // 1e-6: central differences alone cannot see it
      Report onKinks = GradientChecker.check(
          Options.defaults().withInputRange(-range, range), (scope, in) -> scope.tf().nn.relu(in.get(0)), new long[] {10});
      assertEquals(10, onKinks.tensor("input0").skipped(), onKinks.toString());
      assertTrue(onKinks.tensor("input0").tooManySkipped());
      AssertionError e = assertThrows(AssertionError.class, onKinks::assertPassed);
      assertTrue(e.getMessage().contains("not smooth"), e.getMessage());
    }
  }

  @Test
  void wrongGradientNearKinksIsStillReported() {
    // relu with a doubled gradient: skipping depends on the function only, so the smooth
    // coordinates still expose the factor 2.
    Report report = GradientChecker.check(
        (scope, in) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> r = tf.nn.relu(in.get(0));
          return tf.math.sub(tf.math.mul(tf.constant(2f), r), tf.stopGradient(r));
        },
        new long[] {20});
    assertFalse(report.passed(), report.toString());
    assertTrue(report.tensor("input0").mismatches().size() >= 5, report.toString());
  }

  @Test
  void aTenPercentErrorInARealLayerIsReported() {
    // Conv2d whose gradient is scaled by 1.1: y' = 1.1 y - 0.1 stopGradient(y) has y's value.
    Report report = GradientChecker.check(
        (scope, in) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> y = new Conv2d(scope.child("conv"), 2, 3, 3).apply(in.get(0));
          return tf.math.sub(tf.math.mul(tf.constant(1.1f), y), tf.math.mul(tf.constant(0.1f), tf.stopGradient(y)));
        },
        new long[] {1, 4, 4, 2});
    for (String t : new String[] {"input0", "conv.kernel", "conv.bias"}) {
      assertFalse(report.tensor(t).passed(), report.toString());
    }
  }

  @Test
  void normalisationWithStoppedMomentsIsReported() {
    // A classic bug: normalising with moments that carry no gradient. Correct values, wrong dx.
    Report report = GradientChecker.check(
        (scope, in) -> {
          Ops tf = scope.tf();
          Operand<TFloat32> x = in.get(0);
          Operand<TFloat32> mean = tf.math.mean(x, tf.constant(new int[] {-1}), Mean.keepDims(true));
          Operand<TFloat32> centered = tf.math.sub(x, tf.stopGradient(mean));
          Operand<TFloat32> var = tf.math.mean(tf.math.square(centered), tf.constant(new int[] {-1}), Mean.keepDims(true));
          return tf.math.mul(centered, tf.stopGradient(tf.math.rsqrt(tf.math.add(var, tf.constant(1e-5f)))));
        },
        new long[] {2, 4});
    assertFalse(report.passed(), report.toString());
    // The same graph without stopGradient is LayerNorm's and passes.
    GradientChecker.assertGradientsMatch((scope, in) -> new LayerNorm(scope.child("ln"), 4).apply(in.get(0)), new long[] {2, 4});
  }

  @Test
  void aSeedGivesTheSameReport() {
    GradientChecker.LossBuilder b = (scope, in) -> scope.tf().math.tanh(scope.tf().math.mul(in.get(0), in.get(1)));
    Report r1 = GradientChecker.check(b, new long[] {3, 4}, new long[] {4});
    Report r2 = GradientChecker.check(b, new long[] {3, 4}, new long[] {4});
    assertEquals(r1.toString(), r2.toString());
    assertTrue(r1.passed(), r1.toString());
  }

  @Test
  void samplesLargeTensors() {
    int[] picked = GradientChecker.sample(1000, 30, new SplittableRandom(1));
    assertEquals(30, picked.length);
    for (int i = 1; i < picked.length; i++) {
      assertTrue(picked[i] > picked[i - 1], "distinct and sorted");
    }
    assertEquals(5, GradientChecker.sample(5, 30, new SplittableRandom(1)).length);
    assertArrayEquals(new long[] {1, 2, 3}, GradientChecker.unravel(1 * 20 + 2 * 5 + 3, new long[] {2, 4, 5}));
  }
}
