package dev.tessera.plugins.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.testing.DummyComponents;
import dev.tessera.api.testing.DummyTextEncoder;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.TrainingSteps;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.Latents;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** The DALL-E 2 prior with a dummy CLIP (4-value embeddings) and a width-8 MLP denoiser. */
class DiffusionPriorTest {
  static ModelConfig tiny() {
    return PriorConfig.defaults().with("hidden", 8).with("blocks", 1).with("timesteps", 100).with("image_size", 8).with("text_model", "")
        .with(FrozenEncoder.KEY, DummyTextEncoder.config());
  }

  @Test
  void denoiserGradientsMatchNumericOnes() {
    // Timesteps are an input of the sinusoidal embedding, not a learned or differentiated quantity: constants here.
    GradientChecker.assertGradientsMatch((scope, in) -> new EmbeddingDenoiser(scope.child("d"), 3, 4, 1, 2)
        .apply(in.get(0), scope.tf().constant(new float[] {3f, 70f}), in.get(1)), new long[] {2, 3}, new long[] {2, 2});
  }

  @Test
  void fewStepsReduceThePriorLoss() {
    float[] l = TrainingSteps.run(new DiffusionPriorModel(), tiny(), new DummyComponents(new DummyTextEncoder()), new long[] {4, 8, 8, 1},
        DiffusionModelTest.images(), new int[4], dev.tessera.api.testing.DummyTextEncoder.captions(4), 1e-2, 200);
    assertTrue(dev.tessera.api.testing.TrainingSteps.mean(l, 180, 200) < 0.7 * dev.tessera.api.testing.TrainingSteps.mean(l, 0, 20),
        "loss " + dev.tessera.api.testing.TrainingSteps.mean(l, 0, 20) + " -> " + dev.tessera.api.testing.TrainingSteps.mean(l, 180, 200));
  }

  static Latents sample(long seed, float scale, Embedding text) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      GraphScope root = GraphScope.root(g);
      Prior.Sampler sampler = new DiffusionPrior().build(root, tiny());
      root.variables().initialize(s, 1);
      return sampler.sample(s, new Condition("x", null, text, null), 3, Prior.SamplingOptions.seeded(seed).withDiffusion("ddim", 5, scale));
    }
  }

  @Test
  void samplesUnitEmbeddingsDeterministicallyPerSeed() {
    Embedding text = new Embedding(1, 4, new float[] {0.5f, 0.5f, 0.5f, 0.5f});
    Latents a = sample(1, 3f, text);
    assertArrayEquals(new long[] {3, 4}, a.shape());
    for (int i = 0; i < 3; i++) {
      double n = 0;
      for (int k = 0; k < 4; k++) {
        n += a.values()[i * 4 + k] * a.values()[i * 4 + k];
      }
      assertEquals(1, n, 1e-4);
    }
    assertArrayEquals(a.values(), sample(1, 3f, text).values());
    assertFalse(java.util.Arrays.equals(a.values(), sample(2, 3f, text).values()));
    TesseraException e = assertThrows(TesseraException.class, () -> sample(1, 1f, new Embedding(2, 4, new float[8])));
    assertTrue(e.getMessage().contains("one for all samples or one per sample"), e.getMessage());
  }

  @Test
  void missingEncoderConfigIsNamed() {
    TesseraException e = assertThrows(TesseraException.class, () -> PriorConfig.from(tiny().with(FrozenEncoder.KEY, null)));
    assertTrue(e.getMessage().contains("text_encoder"), e.getMessage());
    assertEquals(6, new DiffusionPriorModel().textLength(tiny()));
    assertTrue(new DiffusionPriorModel().forwardFlopsPerExample(tiny()) > 0);
  }
}
