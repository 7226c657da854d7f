package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import org.junit.jupiter.api.Test;

class TransformerGradientTest {

  @Test
  void attentionGradients() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new MultiHeadAttention(scope.child("attn"), 4, 2, false).apply(in.get(0)), new long[] {2, 3, 4});
  }

  @Test
  void causalAttentionGradients() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new MultiHeadAttention(scope.child("attn"), 4, 2, true).apply(in.get(0)), new long[] {1, 4, 4});
  }

  @Test
  void transformerBlockGradients() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new TransformerBlock(scope.child("block"), 4, 2, 2, true).apply(in.get(0)), new long[] {1, 3, 4});
  }

  @Test
  void stackGradients() {
    // Two blocks and a final norm: the first block's last residual add happens in the second's norm.
    GradientChecker.assertGradientsMatch((scope, in) -> TransformerBlock.applyAll(
        java.util.List.of(new TransformerBlock(scope.child("b0"), 4, 2, 2, true), new TransformerBlock(scope.child("b1"), 4, 2, 2, true)),
        in.get(0), new LayerNorm(scope.child("ln"), 4)), new long[] {1, 3, 4});
  }

  @Test
  void stackIsEachBlockThenTheNorm() {
    LayerHarness.Input x = LayerHarness.input(new long[] {2, 5, 8}, Reference.random(2 * 5 * 8, 4));
    LayerHarness.Output fused = LayerHarness.run((scope, in) -> TransformerBlock.applyAll(
        java.util.List.of(new TransformerBlock(scope.child("b0"), 8, 2, 2, true), new TransformerBlock(scope.child("b1"), 8, 2, 2, true)),
        in.get(0), new LayerNorm(scope.child("ln"), 8)), x);
    LayerHarness.Output stepwise = LayerHarness.run((scope, in) -> {
      TransformerBlock b0 = new TransformerBlock(scope.child("b0"), 8, 2, 2, true);
      TransformerBlock b1 = new TransformerBlock(scope.child("b1"), 8, 2, 2, true);
      return new LayerNorm(scope.child("ln"), 8).apply(b1.apply(b0.apply(in.get(0))));
    }, x);
    assertArrayEquals(stepwise.values(), fused.values(), 1e-5f);
  }

  @Test
  void quickGeluBlockGradients() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new TransformerBlock(scope.child("block"), 4, 2, 2, false, "quick_gelu").apply(in.get(0)), new long[] {1, 3, 4});
  }

  @Test
  void tokenEmbeddingGradient() {
    // Ids are constants; the table is the variable checked.
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new TokenEmbedding(scope.child("emb"), 5, 3).apply(scope.tf().constant(new int[][] {{0, 2, 2}, {4, 1, 0}})));
  }

  @Test
  void causalAttentionDoesNotLookAhead() {
    // Changing the last position must not change the outputs at earlier positions.
    float[] x = Reference.random(1 * 4 * 4, 3);
    float[] y = x.clone();
    for (int i = 12; i < 16; i++) {
      y[i] += 1f;
    }
    LayerHarness.Output a = LayerHarness.run(
        (scope, in) -> new MultiHeadAttention(scope.child("attn"), 4, 2, true).apply(in.get(0)), LayerHarness.input(new long[] {1, 4, 4}, x));
    LayerHarness.Output b = LayerHarness.run(
        (scope, in) -> new MultiHeadAttention(scope.child("attn"), 4, 2, true).apply(in.get(0)), LayerHarness.input(new long[] {1, 4, 4}, y));
    float[] va = a.values();
    float[] vb = b.values();
    for (int i = 0; i < 12; i++) {
      assertEquals(va[i], vb[i], 1e-6f, "position " + (i / 4));
    }
    assertArrayEquals(new long[] {1, 4, 4}, a.shape());
  }

  @Test
  void maskIsUpperTriangular() {
    float[][] m = MultiHeadAttention.causalMask(3);
    assertEquals(0f, m[2][0]);
    assertEquals(0f, m[1][1]);
    assertEquals(-1e9f, m[0][2]);
  }
}
