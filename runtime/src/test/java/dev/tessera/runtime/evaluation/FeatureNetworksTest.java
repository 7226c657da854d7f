package dev.tessera.runtime.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.testing.DummyComponents;
import org.junit.jupiter.api.Test;

/** Which feature network a reconstruction FID uses: the shipped evaluator whose input matches the images. */
class FeatureNetworksTest {
  /** An evaluator model that ships weights for size x size x channels images, or none (size 0). */
  private static TrainableModel evaluator(String name, int size, int channels) {
    return new TrainableModel() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public ModelConfig defaultConfig() {
        return config(name, size, channels);
      }

      @Override
      public ModelWeights shippedWeights() {
        return size == 0 ? null : new ModelWeights(config(name, size, channels), new Parameters(name));
      }
    };
  }

  private static ModelConfig config(String name, int size, int channels) {
    return ModelConfig.empty().with("model", name).with("features", name + "-features").with("image_size", size).with("channels", channels);
  }

  @Test
  void picksTheEvaluatorWhoseImageSizeAndChannelsMatch() {
    DummyComponents both = new DummyComponents(evaluator("fashion-classifier", 28, 1), evaluator("twemoji-classifier", 32, 3));
    assertEquals("fashion-classifier", FeatureNetworks.forImages(both, 28, 1).choice().name());
    FeatureNetworks.Selection twemoji = FeatureNetworks.forImages(both, 32, 3);
    assertEquals("twemoji-classifier features", twemoji.choice().describe());
    assertNull(twemoji.whyNone());
    assertEquals(32, twemoji.choice().weights().config().getInt("image_size", 0));
  }

  @Test
  void whenNoneFitsTheNoteSaysWhatEachOneIs() {
    DummyComponents notShipped = new DummyComponents(evaluator("fashion-classifier", 28, 1), evaluator("twemoji-classifier", 0, 3));
    FeatureNetworks.Selection s = FeatureNetworks.forImages(notShipped, 32, 3);
    assertNull(s.choice());
    assertEquals("no feature network for 32x32x3 images ships (fashion-classifier: 28x28x1; twemoji-classifier: ships no weights)", s.whyNone());
    assertTrue(FeatureNetworks.forImages(new DummyComponents(), 28, 1).whyNone().contains("fashion-classifier: not loaded"));
  }

  @Test
  void aWeightsFolderMustBeAnEvaluatorOfTheImagesSize() {
    ModelWeights twemoji = new ModelWeights(config("twemoji-classifier", 32, 3), new Parameters("run"));
    assertEquals("twemoji-classifier features, weights from runs/t", FeatureNetworks.fromWeights(twemoji, "runs/t", 32, 3).describe());
    TesseraException size = assertThrows(TesseraException.class, () -> FeatureNetworks.fromWeights(twemoji, "runs/t", 28, 1));
    assertEquals("runs/t: this evaluator takes 32x32x3 images, the images are 28x28x1", size.getMessage());
    ModelWeights vqvae = new ModelWeights(ModelConfig.empty().with("model", "vqvae").with("image_size", 32).with("channels", 3),
        new Parameters("run"));
    assertTrue(assertThrows(TesseraException.class, () -> FeatureNetworks.fromWeights(vqvae, "runs/v", 32, 3)).getMessage()
        .contains("not an evaluator's weights"));
  }
}
