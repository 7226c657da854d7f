package dev.tessera.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerceptualLossTest {
  @Test
  void gradientsMatchNumericOnes() {
    GradientChecker.assertGradientsMatch((scope, in) -> PerceptualLoss.of(scope.tf(), List.of(in.get(0), in.get(2)), List.of(in.get(1), in.get(3))),
        new long[] {2, 3, 4}, new long[] {2, 3, 4}, new long[] {2, 5}, new long[] {2, 5});
  }

  @Test
  void distanceIsZeroForEqualFeaturesAndAveragesDepths() {
    // Depth 1: unit vectors (1,0) vs (0,1) -> squared distance 2; depth 2: equal up to scale -> 0. Mean of depths: 1.
    LayerHarness.Output out = LayerHarness.run((scope, in) -> PerceptualLoss.of(scope.tf(), List.of(in.get(0), in.get(2)), List.of(in.get(1), in.get(3))),
        LayerHarness.input(new long[] {1, 2}, 3, 0), LayerHarness.input(new long[] {1, 2}, 0, 0.5f),
        LayerHarness.input(new long[] {1, 3}, 1, 2, 3), LayerHarness.input(new long[] {1, 3}, 2, 4, 6));
    assertEquals(1.0, out.values()[0], 1e-5);
  }
}
