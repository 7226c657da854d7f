package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import org.junit.jupiter.api.Test;

/** Cross-attention: numeric gradients for queries and context, and the mask hides what it should. */
class CrossAttentionGradientTest {
  private static final float[][] MASK = {{1, 1, 0}, {1, 0, 0}};

  @Test
  void gradientsForQueriesAndContext() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new CrossAttention(scope.child("xattn"), 4, 6, 2).apply(in.get(0), in.get(1), null), new long[] {2, 3, 4},
        new long[] {2, 3, 6});
  }

  @Test
  void maskedGradients() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new CrossAttention(scope.child("xattn"), 4, 6, 2).apply(in.get(0), in.get(1), scope.tf().constant(MASK)),
        new long[] {2, 3, 4}, new long[] {2, 3, 6});
  }

  @Test
  void spatialCrossAttentionGradients() {
    GradientChecker.assertGradientsMatch((scope, in) -> new SpatialCrossAttention(scope.child("sx"), 4, 6, 2, 2)
        .apply(in.get(0), in.get(1), scope.tf().constant(MASK)), new long[] {2, 2, 3, 4}, new long[] {2, 3, 6});
  }

  @Test
  void maskedPositionsDoNotChangeTheOutput() {
    float[] x = Reference.random(2 * 3 * 4, 1);
    float[] context = Reference.random(2 * 3 * 6, 2);
    float[] changed = context.clone();
    for (int i = 2 * 6; i < 3 * 6; i++) {
      changed[i] += 5f; // the first sequence's third position, masked
    }
    for (int i = 3 * 6 + 6; i < 6 * 6; i++) {
      changed[i] -= 3f; // the second sequence's second and third positions, masked
    }
    LayerHarness.Output a = LayerHarness.run((scope, in) -> new CrossAttention(scope.child("xattn"), 4, 6, 2)
        .apply(in.get(0), in.get(1), scope.tf().constant(MASK)), LayerHarness.input(new long[] {2, 3, 4}, x),
        LayerHarness.input(new long[] {2, 3, 6}, context));
    LayerHarness.Output b = LayerHarness.run((scope, in) -> new CrossAttention(scope.child("xattn"), 4, 6, 2)
        .apply(in.get(0), in.get(1), scope.tf().constant(MASK)), LayerHarness.input(new long[] {2, 3, 4}, x),
        LayerHarness.input(new long[] {2, 3, 6}, changed));
    assertArrayEquals(a.values(), b.values(), 1e-6f);
    LayerHarness.Output unmasked = LayerHarness.run((scope, in) -> new CrossAttention(scope.child("xattn"), 4, 6, 2)
        .apply(in.get(0), in.get(1), null), LayerHarness.input(new long[] {2, 3, 4}, x), LayerHarness.input(new long[] {2, 3, 6}, changed));
    assertEquals(2 * 3 * 4, unmasked.values().length);
    org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(a.values(), unmasked.values()), "without the mask they count");
  }

  @Test
  void widthMustSplitIntoHeads() {
    assertThrows(IllegalArgumentException.class, () -> LayerHarness.run(
        (scope, in) -> new CrossAttention(scope.child("xattn"), 5, 6, 2).apply(in.get(0), in.get(1), null),
        LayerHarness.input(new long[] {1, 2, 5}, new float[10]), LayerHarness.input(new long[] {1, 2, 6}, new float[12])));
  }
}
