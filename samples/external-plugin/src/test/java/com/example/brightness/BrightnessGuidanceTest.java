package com.example.brightness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import dev.tessera.api.types.Condition;
import org.junit.jupiter.api.Test;

/** The score's values and gradients. */
class BrightnessGuidanceTest {
  @Test
  void scoresEachImageByItsMeanPixel() {
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> new BrightnessGuidance().score(scope.child("brightness"), ModelConfig.empty(), in.get(0), Condition.unconditional()),
        LayerHarness.input(new long[] {2, 1, 2, 2}, 0f, 1f, 1f, 0f, 0.25f, 0.25f, 0.25f, 0.25f));
    assertArrayEquals(new float[] {0.5f, 0.25f}, out.values(), 1e-6f);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new BrightnessGuidance().score(scope.child("brightness"), ModelConfig.empty(), in.get(0), Condition.unconditional()),
        new long[] {2, 3, 3, 2});
  }
}
