package dev.tessera.plugins.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.testing.DummyComponents;
import dev.tessera.api.testing.DummyTextEncoder;
import dev.tessera.api.testing.TrainingSteps;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** The diffusion model on 8x8 images with a two-level U-Net of width 4/8 and a dummy text encoder. */
class DiffusionModelTest {
  static ModelConfig tiny() {
    return DiffusionConfig.defaults().with("image_size", 8).with("unet_channels", new int[] {4, 8}).with("attention_levels", new int[] {1})
        .with("embed_dim", 8).with("groups", 2).with("heads", 2).with("timesteps", 100).with("text_model", "")
        .with(FrozenEncoder.KEY, DummyTextEncoder.config());
  }

  static DummyComponents components() {
    return new DummyComponents(new DummyTextEncoder(), new DiffusionDecoder());
  }

  /** Four images: a bright square in quadrant i; prompt i names it. */
  static float[] images() {
    float[] px = new float[4 * 64];
    for (int i = 0; i < 4; i++) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          px[i * 64 + y * 8 + x] = (y / 4) * 2 + (x / 4) == i ? 1f : 0f;
        }
      }
    }
    return px;
  }

  static float[] train(ModelConfig config, int steps) {
    return TrainingSteps.run(new DiffusionModel(), config, components(), new long[] {4, 8, 8, 1}, images(), new int[4], DummyTextEncoder.captions(4), 1e-2, steps);
  }

  @Test
  void fewStepsReduceTheDenoisingLoss() {
    float[] l = train(tiny(), 80);
    assertTrue(TrainingSteps.mean(l, 70, 80) < 0.7 * TrainingSteps.mean(l, 0, 10), "loss " + TrainingSteps.mean(l, 0, 10) + " -> " + TrainingSteps.mean(l, 70, 80));
  }

  @Test
  void stepNoiseIsAFunctionOfTheStepSeedSoRunsRepeat() {
    assertArrayEquals(train(tiny(), 5), train(tiny(), 5));
  }

  @Test
  void unconditionalAndImageConditionedVariantsTrainToo() {
    float[] none = train(tiny().with("condition", "none"), 80);
    assertTrue(TrainingSteps.mean(none, 70, 80) < 0.7 * TrainingSteps.mean(none, 0, 10), "unconditional loss " + TrainingSteps.mean(none, 0, 10) + " -> " + TrainingSteps.mean(none, 70, 80));
    float[] image = train(tiny().with("condition", "image"), 3);
    assertTrue(Float.isFinite(image[2]));
  }

  @Test
  void onlyTheUNetTrainsTheEncoderStaysFrozen() {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      var tf = scope.tf();
      TrainingInputs in = new TrainingInputs(
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 1))), tf.placeholder(TInt32.class),
          tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 6))), tf.placeholder(TInt64.class));
      TrainingGraph tg = new DiffusionModel().buildTraining(new TrainingContext(scope, tiny(), in, components()));
      assertTrue(tg.trainable().size() > 10);
      tg.trainable().forEach(e -> assertTrue(e.name().startsWith("diffusion.unet."), e.name()));
      assertTrue(scope.variables().contains("dummy_clip.tokens.embedding") || scope.variables().entries().stream()
          .anyMatch(e -> e.name().startsWith("dummy_clip.")), "the encoder is built into the graph");
    }
  }

  @Test
  void configErrorsNameTheProblem() {
    assertTrue(assertThrows(TesseraException.class, () -> DiffusionConfig.from(tiny().with("condition", "sound")))
        .getMessage().contains("'condition' must be text, image or none"));
    assertTrue(assertThrows(TesseraException.class, () -> DiffusionConfig.from(tiny().with("image_size", 9)))
        .getMessage().contains("divisible by 2"));
    assertTrue(assertThrows(TesseraException.class, () -> DiffusionConfig.from(tiny().with(FrozenEncoder.KEY, null)))
        .getMessage().contains("text_encoder"));
    assertTrue(assertThrows(TesseraException.class, () -> DiffusionConfig.from(tiny().with("condition_dropout", 1.0)))
        .getMessage().contains("condition_dropout"));
    assertTrue(assertThrows(TesseraException.class, () -> DiffusionConfig.from(tiny().with("beta_schedule", "sqrt")).schedule())
        .getMessage().contains("unknown beta schedule"));
  }

  @Test
  void resolveComponentsNestsTheEncodersShippedConfig() {
    ModelConfig fresh = tiny().with(FrozenEncoder.KEY, null).with("text_model", "clip");
    TesseraException e = assertThrows(TesseraException.class, () -> new DiffusionModel().resolveComponents(fresh, components()));
    assertTrue(e.getMessage().contains("unknown trainablemodel 'clip'"), e.getMessage());
    assertEquals("dummy", new DiffusionModel().tokenizer(tiny()));
    assertEquals(6, new DiffusionModel().textLength(tiny()));
    assertEquals(0, new DiffusionModel().textLength(tiny().with("condition", "image")));
    assertTrue(new DiffusionModel().forwardFlopsPerExample(tiny()) > 0);
  }

  @Test
  void classifierFreeGuidanceWithScaleOneIsTheConditionalPrediction() {
    try (Graph g = new Graph(); org.tensorflow.Session s = new org.tensorflow.Session(g)) {
      GraphScope scope = GraphScope.root(g);
      var tf = scope.tf();
      float[] cond = {0.5f, -1f, 2f, 0f, 3f, 1f};
      float[] uncond = {1f, 1f, 1f, 1f, 1f, 1f};
      ClassifierFreeGuidance cfg = new ClassifierFreeGuidance();
      var one = cfg.combine(scope, tf.constant(cond), tf.constant(uncond), 1f);
      var three = cfg.combine(scope, tf.constant(cond), tf.constant(uncond), 3f);
      try (var r = s.runner().fetch(one).fetch(three).run()) {
        assertArrayEquals(cond, dev.tessera.api.graph.Tensors.toFloats(r.get(0)), 1e-6f);
        float[] expected = new float[6];
        for (int i = 0; i < 6; i++) {
          expected[i] = uncond[i] + 3 * (cond[i] - uncond[i]);
        }
        assertArrayEquals(expected, dev.tessera.api.graph.Tensors.toFloats(r.get(1)), 1e-5f);
      }
    }
  }
}
