package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DenseGradientTest {

  @Test
  void gradientsRank2() {
    GradientChecker.assertGradientsMatch((scope, in) -> new Dense(scope.child("dense"), 3, 4).apply(in.get(0)), new long[] {2, 3});
  }

  @Test
  void gradientsRank3() {
    GradientChecker.assertGradientsMatch((scope, in) -> new Dense(scope.child("dense"), 3, 2).apply(in.get(0)), new long[] {2, 2, 3});
  }

  @Test
  void gradientsWithoutBias() {
    GradientChecker.Report r = GradientChecker.assertGradientsMatch(
        (scope, in) -> new Dense(scope.child("dense"), 3, 2, false).apply(in.get(0)), new long[] {2, 3});
    assertEquals(2, r.tensors().size(), "input and kernel only");
  }

  @Test
  void valuesMatchJava() {
    float[] x = Reference.random(2 * 2 * 3, 1);
    float[] w = Reference.random(3 * 2, 2);
    float[] b = {0.5f, -0.25f};
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> new Dense(scope.child("dense"), 3, 2).apply(in.get(0)),
        Map.of("dense.kernel", w, "dense.bias", b), 1, LayerHarness.input(new long[] {2, 2, 3}, x));
    assertArrayEquals(new long[] {2, 2, 2}, out.shape());
    float[] expected = new float[8];
    for (int row = 0; row < 4; row++) {
      for (int o = 0; o < 2; o++) {
        double s = b[o];
        for (int i = 0; i < 3; i++) {
          s += x[row * 3 + i] * w[i * 2 + o];
        }
        expected[row * 2 + o] = (float) s;
      }
    }
    assertArrayEquals(expected, out.values(), 1e-5f);
  }
}
