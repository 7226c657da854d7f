package dev.tessera.plugins.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.types.TokenIds;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** CLIP on tiny shapes: 8x8 images in 4x4 patches, width 8, one layer per tower, 6-token prompts. */
class ClipModelTest {
  static ModelConfig tiny() {
    return ClipConfig.defaults().with("image_size", 8).with("patch_size", 4).with("vision_width", 8).with("vision_layers", 1)
        .with("vision_heads", 2).with("text_length", 6).with("text_width", 8).with("text_layers", 1).with("text_heads", 2)
        .with("mlp_ratio", 2).with("embed_dim", 4).with("vocabulary", new int[] {320, 1125, 539, 2368, 49406, 49407});
  }

  /**
   * Four pairs: image i is bright in quadrant i on a background of gray level i/4 (the level
   * matters: attention averages patches, and one bright quadrant of four averages the same for all);
   * prompt i is "a <word i>".
   */
  static float[] images() {
    float[] px = new float[4 * 64];
    for (int i = 0; i < 4; i++) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          boolean inQuadrant = (y / 4) * 2 + (x / 4) == i;
          px[i * 64 + y * 8 + x] = inQuadrant ? 1f : 0.25f * i;
        }
      }
    }
    return px;
  }

  static int[] tokens() {
    int[] words = {1125, 539, 2368, 999}; // 999 is outside the vocabulary: the "unknown" row
    int[] t = new int[4 * 6];
    for (int i = 0; i < 4; i++) {
      int[] row = {49406, 320, words[i], 49407, 0, 0};
      System.arraycopy(row, 0, t, i * 6, 6);
    }
    return t;
  }

  @Test
  void fewStepsReduceTheContrastiveLoss() {
    float[] l = dev.tessera.api.testing.TrainingSteps.run(new ClipModel(), tiny(), new long[] {4, 8, 8, 1}, images(), new int[4], tokens(), 5e-3, 40);
    assertTrue(l[39] < 0.7 * l[0], "loss " + l[0] + " -> " + l[39]);
  }

  @Test
  void embeddingsAreUnitLength() {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Operand<TFloat32> img = new ClipEncoder().encodeImages(scope.child("clip"), tiny(),
          scope.tf().reshape(scope.tf().constant(images()), scope.tf().constant(new long[] {4, 8, 8, 1})));
      Operand<TFloat32> txt = new ClipEncoder().encodeText(scope.child("clip"), tiny(),
          scope.tf().reshape(scope.tf().constant(tokens()), scope.tf().constant(new long[] {4, 6})));
      try (Session s = new Session(g)) {
        scope.variables().initialize(s, 2);
        try (Result r = s.runner().fetch(img).fetch(txt).run()) {
          for (int k = 0; k < 2; k++) {
            float[] e = Tensors.toFloats(r.get(k));
            for (int i = 0; i < 4; i++) {
              double n = 0;
              for (int j = 0; j < 4; j++) {
                n += e[i * 4 + j] * e[i * 4 + j];
              }
              assertEquals(1.0, n, 1e-5);
            }
          }
        }
      }
    }
  }

  @Test
  void logitScaleIsClampedAt100() {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      var tf = scope.tf();
      Operand<TFloat32> e = tf.constant(new float[][] {{1, 0}, {0, 1}});
      ContrastiveLoss big = new ContrastiveLoss(tf, e, e, tf.constant(10f));
      ContrastiveLoss init = new ContrastiveLoss(tf, e, e, tf.constant(ClipConfig.LOGIT_SCALE_INIT));
      try (Session s = new Session(g); Result r = s.runner().fetch(big.scale).fetch(init.scale).fetch(init.accuracy).run()) {
        assertEquals(100f, Tensors.toScalar(r.get(0)), 1e-3);
        assertEquals(1 / 0.07f, Tensors.toScalar(r.get(1)), 1e-3);
        assertEquals(1f, Tensors.toScalar(r.get(2)));
      }
    }
  }

  @Test
  void contrastiveLossMatchesAHandComputation() {
    try (Graph g = new Graph()) {
      var tf = GraphScope.root(g).tf();
      Operand<TFloat32> a = tf.constant(new float[][] {{1, 0}, {0.6f, 0.8f}});
      Operand<TFloat32> b = tf.constant(new float[][] {{1, 0}, {0, 1}});
      ContrastiveLoss l = new ContrastiveLoss(tf, a, b, tf.constant(0f)); // scale 1
      // logits = [[1, 0], [0.6, 0.8]]
      double i2t = -(Math.log(Math.exp(1) / (Math.exp(1) + 1)) + Math.log(Math.exp(0.8) / (Math.exp(0.6) + Math.exp(0.8)))) / 2;
      double t2i = -(Math.log(Math.exp(1) / (Math.exp(1) + Math.exp(0.6))) + Math.log(Math.exp(0.8) / (1 + Math.exp(0.8)))) / 2;
      try (Session s = new Session(g); Result r = s.runner().fetch(l.loss).run()) {
        assertEquals((i2t + t2i) / 2, Tensors.toScalar(r.get(0)), 1e-5);
      }
    }
  }

  @Test
  void towersHaveCorrectGradients() {
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new ClipEncoder().encodeImages(scope.child("clip"), tiny(), in.get(0)), new long[] {2, 8, 8, 1});
    GradientChecker.assertGradientsMatch(
        (scope, in) -> new ClipEncoder().encodeText(scope.child("clip"), tiny(),
            scope.tf().reshape(scope.tf().constant(tokens()), scope.tf().constant(new long[] {4, 6}))));
  }

  @Test
  void vocabularyComesFromTheCaptions() {
    ModelConfig c = new ClipModel().adaptToCaptions(ClipConfig.defaults(),
        List.of(new TokenIds(new int[] {49406, 320, 1125, 49407}), new TokenIds(new int[] {49406, 2368, 49407})));
    assertEquals(5, ClipConfig.from(c).vocabulary().length); // 320, 1125, 2368, 49406, 49407
    assertEquals(6, ClipConfig.from(c).embeddingRows()); // plus the shared "unknown" row
    int[] rows = ClipTextTower.rowOfId(ClipConfig.from(c).vocabulary());
    assertEquals(0, rows[999]);
    assertTrue(rows[320] > 0);
  }

  @Test
  void badConfigsAreClearErrors() {
    assertThrows(TesseraException.class, () -> ClipConfig.from(ClipConfig.defaults().with("patch_size", 5)));
    assertThrows(TesseraException.class, () -> ClipConfig.from(ClipConfig.defaults().with("text_length", 100)));
    assertThrows(TesseraException.class, () -> ClipConfig.from(ClipConfig.defaults().with("vocabulary", new int[] {-1})));
  }

  @Test
  void theShippedClipKnowsItsCaptionWordsAndNamesTheOthers() {
    dev.tessera.api.io.ModelConfig config = new ClipModel().shippedWeights().config();
    dev.tessera.api.pipeline.VocabularyCheck check =
        new dev.tessera.api.pipeline.VocabularyCheck("clip", new ClipTokenizer(), new ClipEncoder().knownTokens(config));
    assertEquals(java.util.List.of(), check.unknownWords("a photo of a sneaker:1|a photo of a bag:-0.3"));
    assertEquals(java.util.List.of("cat"), check.unknownWords("a photo of a cat"));
    assertEquals(java.util.List.of("cardigan", "anorak"), check.unknownWords("a cardigan, an anorak"));
    java.util.function.IntPredicate full = new ClipEncoder().knownTokens(ClipConfig.defaults());
    assertTrue(full.test(0) && full.test(ClipConfig.FULL_VOCABULARY - 1), "a config without a vocabulary knows every id");
  }

  @Test
  void theTwemojiAndWordNetWeightsShipAsVariants() {
    ClipModel clip = new ClipModel();
    assertEquals(java.util.List.of("twemoji", "wordnet"), clip.weightVariants().stream().sorted().toList());
    dev.tessera.api.io.ModelWeights wordnet = clip.shippedWeights("wordnet");
    assertEquals(32, wordnet.config().getInt("text_length", 0), "WordNet definitions are longer than the class captions");
    assertEquals(28, wordnet.config().getInt("image_size", 0));
    dev.tessera.api.io.ModelWeights twemoji = clip.shippedWeights("twemoji");
    org.junit.jupiter.api.Assertions.assertNotNull(twemoji, "plugins/clip/weights/twemoji is not on the class path");
    assertEquals(64, twemoji.config().getInt("image_size", 0));
    assertEquals(3, twemoji.config().getInt("channels", 0));
    assertEquals(28, clip.shippedWeights().config().getInt("image_size", 0));
    org.junit.jupiter.api.Assertions.assertNull(clip.shippedWeights("emoji"));
  }
}
