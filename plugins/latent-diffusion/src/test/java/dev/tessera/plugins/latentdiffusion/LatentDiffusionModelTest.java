package dev.tessera.plugins.latentdiffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.testing.DummyAutoencoder;
import dev.tessera.api.testing.DummyComponents;
import dev.tessera.api.testing.DummyTextEncoder;
import dev.tessera.api.testing.TrainingSteps;
import dev.tessera.api.train.FrozenAutoencoder;
import dev.tessera.api.train.FrozenEncoder;
import org.junit.jupiter.api.Test;

/**
 * Latent diffusion over the dummy autoencoder's 2x2 grid of one-channel latents (8x8 images), read
 * by a two-level U-Net of width 8/16 that cross-attends to the dummy text encoder's token states.
 */
class LatentDiffusionModelTest {
  static ModelConfig tiny() {
    return LatentDiffusionConfig.defaults().with("unet_channels", new int[] {8, 16}).with("blocks_per_level", 1)
        .with("attention_levels", new int[] {1}).with("embed_dim", 8).with("groups", 2).with("heads", 2).with("timesteps", 100)
        .with("text_model", "").with("autoencoder_model", "")
        .with(FrozenEncoder.KEY, DummyTextEncoder.config().with("text_width", 4))
        .with(FrozenAutoencoder.KEY, DummyAutoencoder.config());
  }

  static DummyComponents components() {
    return DummyAutoencoder.withTextEncoder();
  }

  /** Image i: grey level i / 4 in its top-left block, 1 - i / 4 elsewhere; caption i names it. */
  static float[] images() {
    float[] px = new float[4 * 64];
    for (int i = 0; i < 4; i++) {
      for (int p = 0; p < 64; p++) {
        boolean topLeft = p / 8 < 4 && p % 8 < 4;
        px[i * 64 + p] = topLeft ? i / 4f : 1 - i / 4f;
      }
    }
    return px;
  }

  static float[] train(ModelConfig config, int steps) {
    return TrainingSteps.run(new LatentDiffusionModel(), config, components(), new long[] {4, 8, 8, 1}, images(), new int[4],
        DummyTextEncoder.captions(4), 1e-2, steps);
  }

  @Test
  void fewStepsReduceTheDenoisingLoss() {
    float[] l = train(tiny(), 150);
    assertTrue(TrainingSteps.mean(l, 130, 150) < 0.7 * TrainingSteps.mean(l, 0, 10),
        "loss " + TrainingSteps.mean(l, 0, 10) + " -> " + TrainingSteps.mean(l, 130, 150));
  }

  @Test
  void withAnEmaDecayTheUNetsAverageIsWhatTheWeightsFileHolds() {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      dev.tessera.api.graph.GraphScope scope = dev.tessera.api.graph.GraphScope.root(g);
      org.tensorflow.op.Ops tf = scope.tf();
      var inputs = new dev.tessera.api.train.TrainingInputs(
          tf.placeholder(org.tensorflow.types.TFloat32.class, org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 8, 8, 1))),
          tf.placeholder(org.tensorflow.types.TInt32.class),
          tf.placeholder(org.tensorflow.types.TInt32.class, org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 
              new LatentDiffusionModel().textLength(tiny())))),
          tf.placeholder(org.tensorflow.types.TInt64.class, org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(2))));
      var tg = new LatentDiffusionModel().buildTraining(
          new dev.tessera.api.train.TrainingContext(scope, tiny().with("ema_decay", 0.99), inputs, components()));
      assertEquals(tg.trainable().size(), tg.exported().size());
      for (var e : tg.trainable()) {
        assertEquals(e.name().replace("latent_diffusion.unet.", "latent_diffusion.unet_average."), tg.exported().get(e.name()));
      }
    }
    // and it still learns (the average is not what the optimizer steps)
    float[] l = train(tiny().with("ema_decay", 0.99), 150);
    assertTrue(TrainingSteps.mean(l, 130, 150) < 0.7 * TrainingSteps.mean(l, 0, 10), "losses " + l[0] + " -> " + l[149]);
  }

  @Test
  void stepNoiseIsAFunctionOfTheStepSeedSoRunsRepeat() {
    assertArrayEquals(train(tiny(), 4), train(tiny(), 4));
  }

  @Test
  void theGridIsPaddedToWhatTheUNetCanHalve() {
    LatentDiffusionConfig c = LatentDiffusionConfig.from(tiny().with(FrozenAutoencoder.KEY, DummyAutoencoder.config().with("image_size", 12)));
    assertEquals(3, c.grid());
    assertEquals(4, c.paddedGrid());
    assertEquals(4, c.unet().contextDim(), "cross-attention reads the text tower's width");
    assertEquals(6, c.unet().contextLength());
    assertEquals(4, c.unet().conditionDim(), "the pooled embedding joins the time embedding");
    float[] l = TrainingSteps.run(new LatentDiffusionModel(), tiny().with(FrozenAutoencoder.KEY, DummyAutoencoder.config().with("image_size", 12)),
        components(), new long[] {2, 12, 12, 1}, new float[2 * 144], new int[2], DummyTextEncoder.captions(2), 1e-2, 2);
    assertTrue(Float.isFinite(l[1]));
    TesseraException wrongSize = assertThrows(TesseraException.class, () -> train(tiny().with(FrozenAutoencoder.KEY,
        DummyAutoencoder.config().with("image_size", 12)), 1));
    assertTrue(wrongSize.getMessage().contains("built for a 3x3 grid"), wrongSize.getMessage());
  }

  @Test
  void badConfigsAreOneLineErrors() {
    assertThrows(TesseraException.class, () -> LatentDiffusionConfig.from(tiny().with("unet_channels", new int[0])));
    assertThrows(TesseraException.class, () -> LatentDiffusionConfig.from(tiny().with("unet_channels", new int[] {8, 0})));
    assertThrows(TesseraException.class, () -> LatentDiffusionConfig.from(tiny().with("attention_levels", new int[] {2})));
    assertThrows(TesseraException.class, () -> LatentDiffusionConfig.from(tiny().with("condition_dropout", 1.0)));
    assertThrows(TesseraException.class, () -> LatentDiffusionConfig.from(tiny().with(FrozenAutoencoder.KEY, null)));
    assertThrows(TesseraException.class, () -> LatentDiffusionConfig.from(tiny().with("beta_schedule", "wavy")).schedule());
  }
}
