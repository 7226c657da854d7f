package dev.tessera.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

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

  @Test
  void imagesOfAnotherSideAreResizedToTheFeatureNetworksInput() {
    long[] seen = new long[1];
    Encoder identity = new Encoder() {
      @Override
      public String name() {
        return "identity";
      }

      @Override
      public List<Operand<TFloat32>> imageFeatures(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
        seen[0] = images.shape().get(1);
        return List.of(images);
      }
    };
    ModelConfig featureNet = ModelConfig.empty().with("image_size", 4);
    // Every pixel (1, 0) against (0, 1): unit vectors at squared distance 2, before and after resizing.
    LayerHarness.Output out = LayerHarness.run((scope, in) -> PerceptualLoss.between(scope, featureNet, identity, in.get(0), in.get(1)),
        LayerHarness.input(new long[] {1, 2, 2, 2}, 1, 0, 1, 0, 1, 0, 1, 0), LayerHarness.input(new long[] {1, 2, 2, 2}, 0, 1, 0, 1, 0, 1, 0, 1));
    assertEquals(4, seen[0], "the 2x2 images reach the feature network at its 4x4 input size");
    assertEquals(2.0, out.values()[0], 1e-5);
  }
}
