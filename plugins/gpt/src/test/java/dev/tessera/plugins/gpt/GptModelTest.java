package dev.tessera.plugins.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.testing.DummyAutoencoder;
import dev.tessera.api.testing.DummyComponents;
import dev.tessera.api.testing.DummyTextEncoder;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.TrainingSteps;
import dev.tessera.api.train.FrozenAutoencoder;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.Latents;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** The prior on a 2x2 grid of 4 grey-level codes (the dummy autoencoder), a dummy CLIP, width 16, two layers. */
class GptModelTest {
  static ModelConfig tiny() {
    return GptConfig.defaults().with("dim", 16).with("heads", 2).with("layers", 2).with("prefix_length", 2)
        .with("text_model", "").with("autoencoder_model", "")
        .with(FrozenEncoder.KEY, DummyTextEncoder.config()).with(FrozenAutoencoder.KEY, DummyAutoencoder.config());
  }

  static DummyComponents components() {
    return DummyAutoencoder.withTextEncoder();
  }

  /** Image i has grey level i in its top-left block and 3 - i elsewhere; caption i names it. */
  static float[] images() {
    float[] px = new float[4 * 64];
    for (int i = 0; i < 4; i++) {
      for (int p = 0; p < 64; p++) {
        boolean topLeft = p / 8 < 4 && p % 8 < 4;
        px[i * 64 + p] = ((topLeft ? i : 3 - i) + 0.5f) / 4;
      }
    }
    return px;
  }

  @Test
  void fewStepsReduceTheLoss() {
    float[] l = TrainingSteps.run(new GptModel(), tiny(), components(), new long[] {4, 8, 8, 1}, images(), new int[4], DummyTextEncoder.captions(4), 1e-2, 60);
    assertTrue(TrainingSteps.mean(l, 50, 60) < 0.5 * TrainingSteps.mean(l, 0, 5), "loss " + TrainingSteps.mean(l, 0, 5) + " -> " + TrainingSteps.mean(l, 50, 60));
  }

  @Test
  void transformerGradientsMatchNumericOnes() {
    GptConfig c = GptConfig.from(tiny());
    GradientChecker.assertGradientsMatch(GradientChecker.Options.defaults(), (scope, in) -> new CodeTransformer(scope.child("gpt"), c)
        .logits(in.get(0), scope.tf().constant(new int[][] {{1, 3, 0}, {2, 2, 1}})), new long[] {2, 4});
  }

  private static int[] sample(ModelConfig config, int count, Prior.SamplingOptions options) {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Prior.Sampler sampler = new GptPrior().build(root, config);
      try (Session s = new Session(g)) {
        root.variables().initialize(s, 7);
        Embedding text = new Embedding(1, 4, new float[] {0.5f, -0.5f, 0.5f, 0.5f});
        Latents out = sampler.sample(s, new Condition("p", null, text, null), count, options);
        assertArrayEquals(new long[] {count, 2, 2}, out.shape());
        return out.codes();
      }
    }
  }

  @Test
  void cachedAndUncachedSamplingGiveTheSameCodes() {
    for (float scale : new float[] {1f, 3f}) {
      Prior.SamplingOptions options = Prior.SamplingOptions.seeded(11).withDiffusion("ddim", 50, scale);
      int[] cached = sample(tiny(), 5, options);
      int[] uncached = sample(tiny().with("kv_cache", false), 5, options);
      assertArrayEquals(uncached, cached, "guidance " + scale);
      assertTrue(Arrays.stream(cached).allMatch(v -> v >= 0 && v < 4));
    }
  }

  @Test
  void samplingIsSeededAndTheCacheServesAnyBatchSize() {
    Prior.SamplingOptions a = Prior.SamplingOptions.seeded(1);
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Prior.Sampler sampler = new GptPrior().build(root, tiny());
      try (Session s = new Session(g)) {
        root.variables().initialize(s, 7);
        Condition text = new Condition("p", null, new Embedding(1, 4, new float[] {1, 0, 0, 0}), null);
        int[] first = sampler.sample(s, text, 6, a).codes();
        int[] smaller = sampler.sample(s, text, 2, a).codes();
        int[] again = sampler.sample(s, text, 6, a).codes();
        assertArrayEquals(first, again);
        assertEquals(8, smaller.length);
        assertFalse(Arrays.equals(first, sampler.sample(s, text, 6, Prior.SamplingOptions.seeded(2)).codes()), "another seed, other codes");
        int[] greedy = sampler.sample(s, text, 3, a.withTokens(0, 0, 1)).codes();
        for (int i = 1; i < 3; i++) {
          assertArrayEquals(Arrays.copyOfRange(greedy, 0, 4), Arrays.copyOfRange(greedy, 4 * i, 4 * i + 4), "greedy decoding is deterministic");
        }
        TesseraException e = assertThrows(TesseraException.class, () -> sampler.sample(s, Condition.prompt("p"), 2, a));
        assertTrue(e.getMessage().contains("CLIP text embedding of 4 values"), e.getMessage());
      }
    }
  }

  @Test
  void configErrorsNameTheProblem() {
    assertTrue(assertThrows(TesseraException.class, () -> GptConfig.from(tiny().with("heads", 3))).getMessage().contains("not divisible"));
    assertTrue(assertThrows(TesseraException.class, () -> GptConfig.from(tiny().with(FrozenAutoencoder.KEY, null))).getMessage()
        .contains("autoencoder"));
    assertTrue(assertThrows(TesseraException.class, () -> GptConfig.from(tiny().with("condition_dropout", 1.5))).getMessage()
        .contains("condition_dropout"));
  }
}
