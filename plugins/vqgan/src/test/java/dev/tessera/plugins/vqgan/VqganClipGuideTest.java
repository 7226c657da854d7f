package dev.tessera.plugins.vqgan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.io.ModelConfig;
import org.junit.jupiter.api.Test;

/** Which CLIP guides vqgan-clip for a given autoencoder. */
class VqganClipGuideTest {
  private static String guide(ModelConfig autoencoder) {
    return VqganClipPipeline.guideReference(autoencoder).getString("text_model", "clip");
  }

  @Test
  void theClipOfTheVqgansPerceptualLossUnlessATextModelIsNamed() {
    ModelConfig vqgan = ModelConfig.empty().with("model", "vqgan").with("perceptual_model", "clip:twemoji");
    assertEquals("clip:twemoji", guide(vqgan));
    assertEquals("clip", guide(vqgan.with("text_model", "clip")), "an explicit text_model wins");
    assertEquals("clip", guide(ModelConfig.empty().with("model", "vqvae")), "no perceptual loss: the default CLIP");
    assertEquals("clip", guide(ModelConfig.empty().with("model", "vqgan").with("perceptual_model", "clip")));
  }
}
