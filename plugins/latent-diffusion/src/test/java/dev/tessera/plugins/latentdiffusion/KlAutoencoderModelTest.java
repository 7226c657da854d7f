package dev.tessera.plugins.latentdiffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.ConvTranspose2d;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.testing.DummyComponents;
import dev.tessera.api.testing.TrainingSteps;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** The KL autoencoder with a one-layer stand-in for the VQ-VAE's encoder and decoder (a 4x4 stride-4 convolution each way). */
class KlAutoencoderModelTest {
  /** embedding_dim channels from 4x4 blocks. */
  static final class PatchEncoder implements Encoder {
    @Override
    public String name() {
      return "patch";
    }

    @Override
    public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
      return new Conv2d(scope.child("conv"), 1, config.getPositiveInt("embedding_dim", 2), 4, 4).apply(images);
    }
  }

  /** 4x4 blocks from embedding_dim channels. */
  static final class PatchDecoder implements Decoder {
    @Override
    public String name() {
      return "patch";
    }

    @Override
    public Operand<TFloat32> decode(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
      return new ConvTranspose2d(scope.child("deconv"), config.getPositiveInt("embedding_dim", 1), 1, 4, 4).apply(latents);
    }
  }

  static ModelConfig tiny() {
    return new KlAutoencoderModel().defaultConfig().with("encoder", "patch").with("decoder", "patch").with("image_size", 8)
        .with(KlAutoencoderModel.Z_CHANNELS, 2);
  }

  static float[] images() {
    float[] px = new float[4 * 64];
    for (int i = 0; i < px.length; i++) {
      px[i] = (i / 64 + (i % 8) / 4 + (i % 64) / 32) % 2 == 0 ? 0.9f : 0.1f;
    }
    return px;
  }

  @Test
  void fewStepsReduceTheLoss() {
    float[] l = TrainingSteps.run(new KlAutoencoderModel(), tiny(), new DummyComponents(new PatchEncoder(), new PatchDecoder()),
        new long[] {4, 8, 8, 1}, images(), new int[4], null, 1e-2, 60);
    assertTrue(TrainingSteps.mean(l, 50, 60) < 0.5 * TrainingSteps.mean(l, 0, 5), "loss " + TrainingSteps.mean(l, 0, 5) + " -> " + TrainingSteps.mean(l, 50, 60));
  }

  @Test
  void theEncoderGivesMeansAndLogVariancesTheDecoderTakesTheLatents() {
    ModelConfig resolved = new KlAutoencoderModel().resolveComponents(tiny(), null);
    assertEquals(4, resolved.getInt("embedding_dim", 0), "2 x z_channels");
    assertEquals(2, KlAutoencoderModel.decoderConfig(resolved).getInt("embedding_dim", 0));
    FirstStage first = new FirstStage(resolved);
    assertTrue(first.kl());
    assertEquals(2, first.channels());
    assertEquals(2, first.grid());
    assertThrows(TesseraException.class, () -> TrainingSteps.run(new KlAutoencoderModel(), tiny().with("kl_weight", -1.0),
        new DummyComponents(new PatchEncoder(), new PatchDecoder()), new long[] {4, 8, 8, 1}, images(), new int[4], null, 1e-2, 1));
    assertEquals(Map.of("twemoji", "tessera/weights/latent-diffusion/kl-autoencoder-twemoji"),
        new KlAutoencoderModel().shippedWeightSets().variantPrefixes());
  }
}
