package dev.tessera.plugins.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.TrainingSteps;
import dev.tessera.api.types.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The noisy classifier on 8x8 images: training, gradients, config and the prompt-to-class mapping. */
class NoisyClassifierModelTest {
  static ModelConfig tiny() {
    return NoisyClassifierConfig.defaults().with("image_size", 8).with("classifier_channels", new int[] {4, 8}).with("embed_dim", 8)
        .with("groups", 2).with("timesteps", 100);
  }

  @Test
  void fewStepsReduceTheClassificationLoss() {
    // Four classes: a bright square in quadrant i is class i (the DiffusionModelTest images).
    float[] l = TrainingSteps.run(new NoisyClassifierModel(), tiny(), new long[] {4, 8, 8, 1}, DiffusionModelTest.images(),
        new int[] {0, 1, 2, 3}, null, 1e-2, 120);
    assertTrue(TrainingSteps.mean(l, 110, 120) < 0.7 * TrainingSteps.mean(l, 0, 10),
        "loss " + TrainingSteps.mean(l, 0, 10) + " -> " + TrainingSteps.mean(l, 110, 120));
  }

  @Test
  void stepNoiseIsAFunctionOfTheStepSeedSoRunsRepeat() {
    float[] a = TrainingSteps.run(new NoisyClassifierModel(), tiny(), new long[] {4, 8, 8, 1}, DiffusionModelTest.images(), new int[] {0, 1, 2, 3},
        null, 1e-2, 4);
    float[] b = TrainingSteps.run(new NoisyClassifierModel(), tiny(), new long[] {4, 8, 8, 1}, DiffusionModelTest.images(), new int[] {0, 1, 2, 3},
        null, 1e-2, 4);
    assertArrayEquals(a, b);
  }

  @Test
  void logitsHaveNumericGradientsWithRespectToTheNoisySample() {
    NoisyClassifierConfig c = NoisyClassifierConfig.from(tiny());
    GradientChecker.assertGradientsMatch((scope, in) -> NoisyClassifier.logits(scope.child("classifier"), c, in.get(0),
        scope.tf().constant(new float[] {3f, 70f})), new long[] {2, 8, 8, 1});
  }

  @Test
  void promptsMapToTheClassWithTheLongestNameInThem() {
    NoisyClassifierConfig c = NoisyClassifierConfig.from(NoisyClassifierConfig.defaults());
    assertEquals(10, c.classes());
    assertEquals(7, c.classOf("a photo of a sneaker"));
    assertEquals(9, c.classOf("An ANKLE BOOT, please"));
    assertEquals(6, c.classOf("a shirt"));
    assertEquals(0, c.classOf("a t-shirt"));
    assertEquals(-1, c.classOf("a photo of a cat"));
    assertEquals(-1, c.classOf("sneakerish"));
  }

  @Test
  void configErrorsNameTheProblem() {
    assertTrue(assertThrows(TesseraException.class, () -> NoisyClassifierConfig.from(tiny().with("class_names", List.of("one"))))
        .getMessage().contains("class_names"));
    assertTrue(assertThrows(TesseraException.class, () -> NoisyClassifierConfig.from(tiny().with("class_names", List.of("a", 3))))
        .getMessage().contains("class_names"));
    assertTrue(assertThrows(TesseraException.class, () -> NoisyClassifierConfig.from(tiny().with("image_size", 9))).getMessage().contains("9"));
    assertTrue(new NoisyClassifierModel().forwardFlopsPerExample(tiny()) > 0);
  }

  @Test
  void aClassIdConditionOutOfRangeIsRefused() {
    try (dev.tessera.api.testing.GraphRun run = new dev.tessera.api.testing.GraphRun(1)) {
      var x = run.input("x", new long[] {1, 8, 8, 1}, new float[64]);
      var t = run.input("t", new long[] {1}, new float[1]);
      TesseraException e = assertThrows(TesseraException.class,
          () -> new ClassifierGuidance().noisyScore(run.root().child("g"), tiny(), x, t, Condition.classId(12)));
      assertTrue(e.getMessage().contains("12"), e.getMessage());
    }
  }
}
