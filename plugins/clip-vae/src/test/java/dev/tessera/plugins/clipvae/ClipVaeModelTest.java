package dev.tessera.plugins.clipvae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.testing.DummyComponents;
import dev.tessera.api.testing.DummyTextEncoder;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.TinyImages;
import dev.tessera.api.testing.TrainingSteps;
import dev.tessera.api.train.FrozenEncoder;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The conditional VAE on 8x8 images, 4 hidden channels, a 3-value latent and a dummy CLIP (4-value embeddings). */
class ClipVaeModelTest {
  static ModelConfig tiny() {
    return ClipVaeConfig.defaults().with("image_size", 8).with("hidden_channels", 4).with("latent_dim", 3).with("kl_anneal_steps", 10)
        .with("text_model", "").with(FrozenEncoder.KEY, DummyTextEncoder.config());
  }

  static float[] images() {
    return TinyImages.quadrants(0.95f, 0.05f);
  }

  @Test
  void fewStepsReduceTheLossInBothConditioningModes() {
    for (String mode : new String[] {"concat", "add"}) {
      float[] l = TrainingSteps.run(new ClipVaeModel(), tiny().with("conditioning", mode), new DummyComponents(new DummyTextEncoder()),
          new long[] {4, 8, 8, 1}, images(), new int[4], DummyTextEncoder.captions(4), 1e-2, 60);
      assertTrue(TrainingSteps.mean(l, 50, 60) < 0.7 * TrainingSteps.mean(l, 0, 5), mode + ": loss " + TrainingSteps.mean(l, 0, 5) + " -> " + TrainingSteps.mean(l, 50, 60));
    }
  }

  @Test
  void encoderGradientsMatchNumericOnes() {
    ClipVaeConfig c = ClipVaeConfig.from(tiny());
    // ReLU kinks: allow half the sampled coordinates of a tensor to sit on one.
    GradientChecker.assertGradientsMatch(GradientChecker.Options.defaults().withMaxSkippedFraction(0.5), (scope, in) -> {
      ConditionalVaeEncoder.Posterior q = ConditionalVaeEncoder.apply(scope.child("enc"), c, in.get(0), in.get(1));
      return scope.tf().math.add(q.mean(), scope.tf().math.mul(q.logVariance(), scope.tf().constant(0.5f)));
    }, new long[] {2, 8, 8, 1}, new long[] {2, 4});
  }

  @Test
  void decoderGradientsMatchNumericOnesInBothModes() {
    for (String mode : new String[] {"concat", "add"}) {
      ClipVaeConfig c = ClipVaeConfig.from(tiny().with("conditioning", mode));
      GradientChecker.assertGradientsMatch(GradientChecker.Options.defaults().withMaxSkippedFraction(0.5),
          (scope, in) -> ClipVaeDecoder.logits(scope.child("dec"), c, in.get(0)), new long[] {2, 7});
    }
  }

  @Test
  void decoderMapsLatentsAndConditionToImagesInUnitRange() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      var z = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 7)));
      var y = new ClipVaeDecoder().decode(root.child("dec"), tiny(), z);
      assertArrayEquals(new long[] {-1, 8, 8, 1}, y.shape().asArray());
    }
  }

  @Test
  void configErrorsNameTheProblem() {
    assertTrue(assertThrows(TesseraException.class, () -> ClipVaeConfig.from(tiny().with("conditioning", "multiply"))).getMessage()
        .contains("'conditioning' must be concat or add"));
    assertTrue(assertThrows(TesseraException.class, () -> ClipVaeConfig.from(tiny().with("image_size", 10))).getMessage()
        .contains("divisible by 4"));
    assertTrue(assertThrows(TesseraException.class, () -> ClipVaeConfig.from(tiny().with(FrozenEncoder.KEY, null))).getMessage()
        .contains("text_encoder"));
    assertTrue(assertThrows(TesseraException.class, () -> ClipVaeConfig.from(tiny().with("kl_weight", -1))).getMessage()
        .contains("kl_weight"));
  }
}
