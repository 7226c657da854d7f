package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import org.junit.jupiter.api.Test;

class ResidualBlockGradientTest {

  @Test
  void gradients() {
    GradientChecker.Report r = GradientChecker.assertGradientsMatch(
        (scope, in) -> new ResidualBlock(scope.child("res"), 3, 2).apply(in.get(0)), new long[] {1, 4, 4, 3});
    // input, conv3 kernel and bias, conv1 kernel and bias
    assertArrayEquals(new long[] {3, 3, 3, 2}, r.tensor("res.conv3.kernel").shape());
    assertArrayEquals(new long[] {1, 1, 2, 3}, r.tensor("res.conv1.kernel").shape());
  }

  @Test
  void valuesMatchJava() {
    float[] x = Reference.random(2 * 4 * 4 * 3, 9);
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> new ResidualBlock(scope.child("res"), 3, 2).apply(in.get(0)), LayerHarness.input(new long[] {2, 4, 4, 3}, x));
    float[] h = Reference.conv2d(Reference.relu(x), 2, 4, 4, 3, out.variable("res.conv3.kernel"), 3, 2, out.variable("res.conv3.bias"), 1, "SAME");
    float[] y = Reference.conv2d(Reference.relu(h), 2, 4, 4, 2, out.variable("res.conv1.kernel"), 1, 3, out.variable("res.conv1.bias"), 1, "SAME");
    for (int i = 0; i < y.length; i++) {
      y[i] += x[i];
    }
    assertArrayEquals(new long[] {2, 4, 4, 3}, out.shape());
    assertArrayEquals(y, out.values(), 1e-5f);
  }
}
