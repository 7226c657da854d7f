package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.graph.NativeOps;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class ActivationsGradientTest {
  private static final float[] POINTS = {-3f, -1f, -0.5f, 0f, 0.25f, 1f, 2.5f};

  private static Operand<TFloat32> apply(String name, Ops tf, Operand<TFloat32> x) {
    return name.equals("leakyRelu") ? Activations.leakyRelu(tf, x, 0.2f) : Activations.byName(tf, name, x);
  }

  @ParameterizedTest
  @ValueSource(strings = {"relu", "silu", "gelu", "tanh", "sigmoid", "leakyRelu"})
  void gradients(String name) {
    // Inputs over [-3, 3] cover both tails of the saturating functions.
    GradientChecker.assertGradientsMatch(
        GradientChecker.Options.defaults().withInputRange(-3, 3),
        (scope, in) -> apply(name, scope.tf(), in.get(0)),
        new long[] {3, 10});
  }

  @Test
  void nativeBiasGeluGradients() {
    assumeTrue(NativeOps.available(), "native kernels not loaded");
    // x [3, 10] and its bias [10] are both checked, over both tails of the GELU.
    GradientChecker.assertGradientsMatch(GradientChecker.Options.defaults().withInputRange(-3, 3),
        (scope, in) -> NativeOps.biasGelu(scope.tf(), in.get(0), in.get(1)), new long[] {3, 10}, new long[] {10});
  }

  @Test
  void nativeBiasGeluIsGeluOfTheSum() {
    assumeTrue(NativeOps.available(), "native kernels not loaded");
    float[] x = new float[4 * 300];
    float[] bias = new float[300];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 97) / 16f - 3;
    }
    for (int i = 0; i < bias.length; i++) {
      bias[i] = (i % 7) / 4f - 0.75f;
    }
    // 4 rows (1,200 values) run on one thread, 120 rows (36,000) on two: the threshold is 32,768.
    for (int rows : new int[] {4, 120}) {
      float[] big = new float[rows * 300];
      for (int i = 0; i < big.length; i++) {
        big[i] = x[i % x.length];
      }
      LayerHarness.Input in = LayerHarness.input(new long[] {rows, 300}, big);
      LayerHarness.Input b = LayerHarness.input(new long[] {300}, bias);
      float[] fused = LayerHarness.run((scope, inputs) -> NativeOps.biasGelu(scope.tf(), inputs.get(0), inputs.get(1)), in, b).values();
      float[] composed = LayerHarness.run((scope, inputs) -> Activations.gelu(scope.tf(), scope.tf().math.add(inputs.get(0), inputs.get(1))), in, b).values();
      assertArrayEquals(composed, fused, 1e-5f, rows + " rows");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"relu", "silu", "gelu", "tanh", "sigmoid", "leakyRelu", "identity"})
  void valuesMatchJava(String name) {
    DoubleUnaryOperator f = switch (name) {
      case "relu" -> x -> Math.max(x, 0);
      case "silu" -> x -> x / (1 + Math.exp(-x));
      case "gelu" -> x -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
      case "tanh" -> Math::tanh;
      case "sigmoid" -> x -> 1 / (1 + Math.exp(-x));
      case "leakyRelu" -> x -> x >= 0 ? x : 0.2 * x;
      default -> x -> x;
    };
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> apply(name, scope.tf(), in.get(0)), LayerHarness.input(new long[] {POINTS.length}, POINTS));
    float[] expected = new float[POINTS.length];
    for (int i = 0; i < POINTS.length; i++) {
      expected[i] = (float) f.applyAsDouble(POINTS[i]);
    }
    assertArrayEquals(expected, out.values(), 1e-6f, name);
  }

  @Test
  void knownValues() {
    LayerHarness.Input one = LayerHarness.input(new long[] {1}, 1f);
    assertEquals(0.8413447f, LayerHarness.run((scope, in) -> Activations.gelu(scope.tf(), in.get(0)), one).values()[0], 1e-6f);
    assertEquals(0.7310586f, LayerHarness.run((scope, in) -> Activations.silu(scope.tf(), in.get(0)), one).values()[0], 1e-6f);
    LayerHarness.Input minusTwo = LayerHarness.input(new long[] {1}, -2f);
    assertEquals(-0.4f, LayerHarness.run((scope, in) -> Activations.leakyRelu(scope.tf(), in.get(0), 0.2f), minusTwo).values()[0], 1e-6f);
    assertEquals(0.7310586f,
        LayerHarness.run((scope, in) -> Activations.byName(scope.tf(), "swish", in.get(0)), one).values()[0], 1e-6f, "swish = silu");
  }

  @Test
  void unknownNameIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LayerHarness.run((scope, in) -> Activations.byName(scope.tf(), "mish", in.get(0)), LayerHarness.input(new long[] {1}, 1f)));
    assertEquals(true, e.getMessage().contains("mish"));
  }

  /** erf to double precision (Abramowitz-Stegun 7.1.26 is too coarse): Taylor series / continued fraction. */
  static double erf(double x) {
    double ax = Math.abs(x);
    double r;
    if (ax < 3) {
      // Maclaurin series: converges quickly for |x| < 3.
      double term = ax;
      double sum = ax;
      for (int n = 1; n < 100; n++) {
        term *= -ax * ax / n;
        sum += term / (2 * n + 1);
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      r = 1; // erfc(3) < 2.3e-5, below float resolution after the 0.5 * x * (1 + erf) scaling at |x| >= 3
    }
    return Math.copySign(r, x);
  }
}
