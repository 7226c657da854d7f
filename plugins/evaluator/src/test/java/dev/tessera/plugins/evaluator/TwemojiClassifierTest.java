package dev.tessera.plugins.evaluator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.TrainingSteps;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;

/** The Twemoji classifier: the shared network at the size, channels and classes its config names. */
class TwemojiClassifierTest {
  /** 8x8 RGB, three classes: the network of the shipped model at a size a test runs in milliseconds. */
  static final ModelConfig TINY = new TwemojiClassifierModel().defaultConfig().with("image_size", 8)
      .with("classes", 3).with("class_names", List.of("animal-bird", "country-flag", "face-smiling"));

  @Test
  void gradientsOfTheWholeNetworkMatchFiniteDifferences() {
    // A bias reaches the logits through every ReLU of its layer, so it meets more kinks than one
    // layer's weight: one image and smaller first steps keep them rare (at most 2 of 30 skipped).
    GradientChecker.assertGradientsMatch(GradientChecker.Options.defaults().withEpsilon(2e-3),
        (scope, in) -> ClassifierNetwork.logits(scope, TINY, ClassifierNetwork.features(scope, TINY, in.get(0))),
        new long[] {1, 8, 8, 3});
  }

  @Test
  void fewStepsReduceTheLossOnTinyRgbImages() {
    SplittableRandom r = new SplittableRandom(2);
    int n = 9;
    int per = 8 * 8 * 3;
    float[] px = new float[n * per];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      for (int j = 0; j < per; j++) {
        // Class c is brighter in colour channel c, with noise on top.
        px[i * per + j] = (float) (r.nextDouble() * 0.3 + (j % 3 == labels[i] ? 0.6 : 0));
      }
    }
    TwemojiClassifierModel model = new TwemojiClassifierModel();
    float[] l = TrainingSteps.run(model, TINY, new long[] {n, 8, 8, 3}, px, labels, null, 3e-3, 20);
    assertTrue(TrainingSteps.mean(l, 15, 20) < 0.5 * TrainingSteps.mean(l, 0, 5), "loss " + l[0] + " -> " + l[19]);
  }

  @Test
  void defaultsAre32x32RgbAndTheClassesComeFromTheData() {
    TwemojiClassifierModel model = new TwemojiClassifierModel();
    ModelConfig c = model.defaultConfig();
    assertEquals(32, c.getInt("image_size", 0));
    assertEquals(3, c.getInt("channels", 0));
    assertEquals("twemoji-features", c.getString("features", null));
    ModelConfig adapted = model.adaptToLabels(c, List.of("a", "b", "c", "d"));
    ClassifierNetwork.Spec spec = ClassifierNetwork.Spec.of(adapted);
    assertEquals(4, spec.classes());
    assertEquals(List.of("a", "b", "c", "d"), spec.classNames());
    assertEquals(Conv2d.flops(32, 32, 3, 3, 32) + Conv2d.flops(16, 16, 3, 32, 32) + Conv2d.flops(16, 16, 3, 32, 64)
        + Conv2d.flops(8, 8, 3, 64, 64) + 2L * 8 * 8 * 64 * 128 + 2L * 128 * 4, model.forwardFlopsPerExample(adapted));
    assertNull(model.shippedWeights("no-such-variant"));
  }

  @Test
  void aResumedRunRefusesDataWithOtherClassesAndUnlabelledDataIsRefused() {
    TwemojiClassifierModel model = new TwemojiClassifierModel();
    TesseraException other = assertThrows(TesseraException.class, () -> model.adaptToLabels(TINY, List.of("animal-bird", "country-flag", "food")));
    assertTrue(other.getMessage().contains("3 classes [animal-bird, country-flag, face-smiling]"), other.getMessage());
    assertEquals(TINY.toJson(), model.adaptToLabels(TINY, List.of("animal-bird", "country-flag", "face-smiling")).toJson());
    TesseraException count = assertThrows(TesseraException.class,
        () -> model.adaptToLabels(model.defaultConfig().with("classes", 5), List.of("a", "b")));
    assertTrue(count.getMessage().contains("classes=5"), count.getMessage());
    TesseraException none = assertThrows(TesseraException.class, () -> model.adaptToLabels(model.defaultConfig(), List.of()));
    assertTrue(none.getMessage().contains("twemoji-subcategories"), none.getMessage());
  }

  @Test
  void badClassSettingsAreNamed() {
    assertTrue(assertThrows(TesseraException.class, () -> ClassifierNetwork.Spec.of(TINY.with("classes", 4))).getMessage()
        .contains("'classes' is 4 but 'class_names' lists 3"));
    assertTrue(assertThrows(TesseraException.class, () -> ClassifierNetwork.Spec.of(TINY.with("class_names", List.of("a", 3, "b"))))
        .getMessage().contains("class_names"));
    assertTrue(assertThrows(TesseraException.class, () -> ClassifierNetwork.Spec.of(TINY.with("class_names", null).with("classes", 1)))
        .getMessage().contains("at least 2 classes"));
  }

  /** A trained model's folder (config.json with the class names + model.safetensors) reads back to the same network and outputs. */
  @Test
  void weightsAndClassNamesRoundTripThroughAWeightsFolder(@TempDir Path tmp) {
    ModelConfig config = new TwemojiClassifierModel().adaptToLabels(TINY.with("class_names", null).with("classes", null),
        List.of("alphanum", "animal-bird", "sky & weather"));
    float[] px = new float[2 * 8 * 8 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (i % 7) / 6f;
    }
    float[] before;
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      var p = new TwemojiClassEncoder().encodeImages(root.child("evaluator"), config, root.tf().constant(
          Shape.of(2, 8, 8, 3), DataBuffers.of(px)));
      try (Session s = new Session(g)) {
        root.variables().initialize(s, 7);
        new ModelWeights(config, root.variables().snapshot(s, VariableStore.MODEL_WEIGHTS)).save(tmp);
        try (Result r = s.runner().fetch(p).run()) {
          before = Tensors.toFloats(r.get(0));
        }
      }
    }
    ModelWeights loaded = ModelWeights.load(tmp);
    ClassifierNetwork.Spec spec = ClassifierNetwork.Spec.of(loaded.config());
    assertEquals(new ClassifierNetwork.Spec(8, 3, 3, List.of("alphanum", "animal-bird", "sky & weather")), spec);
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      var p = new TwemojiClassEncoder().encodeImages(root.child("evaluator"), loaded.config(), root.tf().constant(
          Shape.of(2, 8, 8, 3), DataBuffers.of(px)));
      try (Session s = new Session(g)) {
        root.variables().load(s, loaded.parameters(), VariableStore.MODEL_WEIGHTS, true);
        try (Result r = s.runner().fetch(p).run()) {
          assertArrayEquals(before, Tensors.toFloats(r.get(0)));
        }
      }
    }
  }
}
