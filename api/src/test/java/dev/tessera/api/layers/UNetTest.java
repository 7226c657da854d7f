package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import org.junit.jupiter.api.Test;

class UNetTest {
  /** Two levels of 4 and 8 channels on 8x8 images, attention at the lower one, a 3-d condition. */
  static final UNet.Config TINY = new UNet.Config(1, new int[] {4, 8}, 1, new int[] {1}, 8, 3, 2, 2);

  @Test
  void predictsNoiseShapedLikeTheInput() {
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> new UNet(scope.child("unet"), TINY).apply(in.get(0),
            scope.tf().constant(new float[] {10f, 500f}), scope.tf().constant(new float[][] {{1, 0, 0}, {0, 1, 0}})),
        LayerHarness.input(new long[] {2, 8, 8, 1}, Reference.random(128, 4)));
    assertArrayEquals(new long[] {2, 8, 8, 1}, out.shape());
  }

  /**
   * Through the whole network, with respect to its inputs. Its weights are checked block by block
   * below (UNetBlock, SpatialSelfAttention) and layer by layer in the other tests: through 20
   * float32 layers, a single weight moves the output too little for finite differences to resolve,
   * and even input coordinates are often judged not smooth enough to compare (hence up to half skipped).
   */
  @Test
  void gradientsWithRespectToImagesAndCondition() {
    GradientChecker.assertGradientsMatch(
        GradientChecker.Options.defaults().withMaxCoordinates(10).withCheckVariables(false).withMaxSkippedFraction(0.5),
        (scope, in) -> new UNet(scope.child("unet"), TINY).apply(in.get(0), scope.tf().constant(new float[] {7f}), in.get(1)),
        new long[] {1, 8, 8, 1}, new long[] {1, 3});
  }

  @Test
  void blockAndSpatialAttentionGradients() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new UNetBlock(scope.child("block"), 2, 4, 3, 2).apply(in.get(0), in.get(1)),
        new long[] {1, 4, 4, 2}, new long[] {1, 3});
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new SpatialSelfAttention(scope.child("attn"), 4, 2, 2).apply(in.get(0)), new long[] {1, 3, 3, 4});
  }

  /** TINY with as many blocks up as down: each up block concatenates its mirror down block's output only. */
  static final UNet.Config TINY_PLAIN = new UNet.Config(1, new int[] {4, 8}, 1, new int[] {1}, 8, 3, 2, 2, 1);

  @Test
  void plainSkipLayoutPredictsNoiseShapedLikeTheInput() {
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> new UNet(scope.child("unet"), TINY_PLAIN).apply(in.get(0),
            scope.tf().constant(new float[] {10f, 500f}), scope.tf().constant(new float[][] {{1, 0, 0}, {0, 1, 0}})),
        LayerHarness.input(new long[] {2, 8, 8, 1}, Reference.random(128, 4)));
    assertArrayEquals(new long[] {2, 8, 8, 1}, out.shape());
  }

  /**
   * Counted by hand for TINY_PLAIN at 8x8: time MLP 2,752; conv_in 4,608; down block 37,120;
   * downsampling 4,608; level-1 block 29,184 + attention 16,384; middle 91,136; up level 1 59,904
   * + attention 16,384; upsampling 73,728; up level 0 80,128; conv_out 4,608.
   */
  @Test
  void plainSkipLayoutFlopsCountedByHand() {
    assertEquals(420_544L, UNet.flops(TINY_PLAIN, 8));
    assertTrue(UNet.flops(TINY, 8) > UNet.flops(TINY_PLAIN, 8));
    assertThrows(IllegalArgumentException.class, () -> new UNet.Config(1, new int[] {4}, 2, new int[0], 8, 0, 2, 2, 4));
  }

  /** TINY_PLAIN reading a context of 3 tokens of 6 values by cross-attention at level 1 and in the middle. */
  static final UNet.Config TINY_CROSS = TINY_PLAIN.withContext(6, 3);

  @Test
  void crossAttentionReadsTheContextAndItsGradientFlows() {
    float[] context = Reference.random(2 * 3 * 6, 5);
    float[] other = Reference.random(2 * 3 * 6, 6);
    LayerHarness.Input x = LayerHarness.input(new long[] {2, 8, 8, 1}, Reference.random(128, 4));
    GradientChecker.LossBuilder unet = (scope, in) -> new UNet(scope.child("unet"), TINY_CROSS).apply(in.get(0),
        scope.tf().constant(new float[] {10f, 500f}), scope.tf().constant(new float[][] {{1, 0, 0}, {0, 1, 0}}), in.get(1),
        scope.tf().constant(new float[][] {{1, 1, 0}, {1, 0, 0}}));
    LayerHarness.Output a = LayerHarness.run(unet, x, LayerHarness.input(new long[] {2, 3, 6}, context));
    LayerHarness.Output b = LayerHarness.run(unet, x, LayerHarness.input(new long[] {2, 3, 6}, other));
    assertArrayEquals(new long[] {2, 8, 8, 1}, a.shape());
    assertTrue(!java.util.Arrays.equals(a.values(), b.values()), "another context gives another prediction");
    GradientChecker.assertGradientsMatch(
        GradientChecker.Options.defaults().withMaxCoordinates(10).withCheckVariables(false).withMaxSkippedFraction(0.5),
        (scope, in) -> new UNet(scope.child("unet"), TINY_CROSS).apply(in.get(0), scope.tf().constant(new float[] {7f}),
            scope.tf().constant(new float[][] {{1, 0, 0}}), in.get(1), null),
        new long[] {1, 8, 8, 1}, new long[] {1, 3, 6});
    assertTrue(UNet.flops(TINY_CROSS, 8) > UNet.flops(TINY_PLAIN, 8), "cross-attention is counted");
    assertThrows(IllegalArgumentException.class, () -> LayerHarness.run((scope, in) -> new UNet(scope.child("unet"), TINY_CROSS)
        .apply(in.get(0), scope.tf().constant(new float[] {7f}), scope.tf().constant(new float[][] {{1, 0, 0}})), x));
  }

  @Test
  void sinusoidalEmbeddingValues() {
    LayerHarness.Output out = LayerHarness.run(
        (scope, in) -> SinusoidalEmbedding.apply(scope.tf(), in.get(0), 4), LayerHarness.input(new long[] {2}, new float[] {0f, 1f}));
    float[] v = out.values();
    // t = 0: sin 0, sin 0, cos 0, cos 0; t = 1: frequencies 1 and 1e-4
    assertArrayEquals(new float[] {0, 0, 1, 1}, java.util.Arrays.copyOf(v, 4), 1e-6f);
    assertEquals(Math.sin(1), v[4], 1e-6);
    assertEquals(Math.sin(1e-4), v[5], 1e-7);
    assertEquals(Math.cos(1), v[6], 1e-6);
    assertThrows(IllegalArgumentException.class, () -> SinusoidalEmbedding.apply(null, null, 5));
  }
}
