package dev.tessera.plugins.clipgan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.testing.DummyComponents;
import dev.tessera.api.testing.DummyTextEncoder;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.TinyImages;
import dev.tessera.api.testing.TrainingSteps;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** CLIP+GAN on 8x8 images: widths 4, a 3-value z and a dummy CLIP (4-value embeddings). */
class ClipGanModelTest {
  static ModelConfig tiny() {
    return ClipGanConfig.defaults().with("image_size", 8).with("generator_channels", 4).with("disc_channels", 4).with("latent_dim", 3)
        .with("text_model", "").with(FrozenEncoder.KEY, DummyTextEncoder.config());
  }

  static DummyComponents components() {
    return new DummyComponents(new DummyTextEncoder());
  }

  static float[] images() {
    return TinyImages.quadrants(0.95f, 0.05f);
  }

  @Test
  void fewStepsReduceTheClipLossOfTheGenerator() {
    // The adversarial term's scale moves with the discriminator; the CLIP term alone must go down.
    ModelConfig c = tiny().with("disc_start", 1_000_000).with("clip_weight", 10.0);
    float[] l = TrainingSteps.run(new ClipGanModel(), c, components(), new long[] {4, 8, 8, 1}, images(), new int[4], DummyTextEncoder.captions(4),
        1e-2, 60);
    assertTrue(TrainingSteps.mean(l, 50, 60) < 0.8 * TrainingSteps.mean(l, 0, 5), "loss " + TrainingSteps.mean(l, 0, 5) + " -> " + TrainingSteps.mean(l, 50, 60));
  }

  @Test
  void fewStepsReduceTheDiscriminatorLoss() {
    Map<String, float[]> l = TrainingSteps.runWithPhases(new ClipGanModel(), tiny(), components(), new long[] {4, 8, 8, 1}, images(), new int[4],
        DummyTextEncoder.captions(4), 1e-2, 40);
    float[] d = l.get("disc");
    assertTrue(TrainingSteps.mean(d, 30, 40) < 0.7 * TrainingSteps.mean(d, 0, 5), "disc loss " + TrainingSteps.mean(d, 0, 5) + " -> " + TrainingSteps.mean(d, 30, 40));
  }

  @Test
  void generatorGradientsMatchNumericOnes() {
    ClipGanConfig c = ClipGanConfig.from(tiny());
    GradientChecker.assertGradientsMatch(GradientChecker.Options.defaults().withMaxSkippedFraction(0.5),
        (scope, in) -> ConditionalGenerator.apply(scope.child("g"), c, in.get(0)), new long[] {2, 7});
  }

  @Test
  void discriminatorGradientsMatchNumericOnes() {
    ClipGanConfig c = ClipGanConfig.from(tiny());
    GradientChecker.assertGradientsMatch(GradientChecker.Options.defaults().withEpsilon(2e-3).withMaxSkippedFraction(0.5),
        (scope, in) -> new ProjectionDiscriminator(scope.child("d"), c).logits(in.get(0), in.get(1)), new long[] {2, 8, 8, 1}, new long[] {2, 4});
  }

  @Test
  void generatorMapsNoiseAndConditionToImagesInUnitRange() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      GraphScope root = GraphScope.root(g);
      var z = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 7)));
      var y = new ConditionalGenerator().decode(root.child("g"), tiny(), z);
      assertArrayEquals(new long[] {-1, 8, 8, 1}, y.shape().asArray());
      root.variables().initialize(s, 1);
      float[] noise = new float[3 * 7];
      for (int i = 0; i < noise.length; i++) {
        noise[i] = (float) Math.sin(i) * 3;
      }
      try (TFloat32 zb = Tensors.floats(new long[] {3, 7}, noise); Result r = s.runner().feed(z, zb).fetch(y).run()) {
        for (float v : Tensors.toFloats(r.get(0))) {
          assertTrue(v >= 0 && v <= 1, "pixel " + v);
        }
      }
    }
  }

  @Test
  void rolledConditionGivesEachRowTheNextRowsCaption() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      var tf = org.tensorflow.op.Ops.create(g);
      try (Result r = s.runner().fetch(ClipGanModel.rolled(tf, tf.constant(new float[][] {{1, 2}, {3, 4}, {5, 6}}))).run()) {
        assertArrayEquals(new float[] {3, 4, 5, 6, 1, 2}, Tensors.toFloats(r.get(0)));
      }
    }
  }

  /**
   * One step of the generator (with the weight average's updates) and one of the discriminator:
   * each optimizer moves only its own network, and only the updates move the average.
   */
  @Test
  void eachOptimizerChangesOnlyItsOwnNetworkAndTheAverageFollowsTheGenerator() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Placeholder<TFloat32> x = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 1)));
      Placeholder<TInt32> y = root.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TInt32> t = root.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 6)));
      Placeholder<TInt64> seed = root.tf().placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      TrainingGraph tg = new ClipGanModel().buildTraining(new TrainingContext(root, tiny(), new TrainingInputs(x, y, t, seed), components()));
      assertTrue(tg.phases().size() == 1 && tg.phases().get(0).name().equals("disc"));
      assertTrue(tg.updates().isEmpty() && !tg.averages().isEmpty(), "the generator's average reads weights only: it runs on a cluster too");
      AdamOptimizer main = new AdamOptimizer(root, "optimizer", tg.loss(), tg.trainable(), AdamOptimizer.Config.defaults(0.1));
      TrainingGraph.Phase phase = tg.phases().get(0);
      AdamOptimizer disc = new AdamOptimizer(root, "optimizer_disc", phase.loss(), phase.trainable(), AdamOptimizer.Config.defaults(0.1));
      try (Session s = new Session(g); TFloat32 xb = Tensors.floats(new long[] {4, 8, 8, 1}, images());
          TInt32 yb = Tensors.ints(new long[] {4}, new int[4]); TInt32 tb = Tensors.ints(new long[] {4, 6}, DummyTextEncoder.captions(4));
          TInt64 sb = TInt64.vectorOf(5, 10)) {
        root.variables().initialize(s, 1);
        Map<String, float[]> before = snapshot(s, root);
        s.runner().feed(x, xb).feed(y, yb).feed(t, tb).feed(seed, sb).addTarget(disc.update()).run();
        Map<String, float[]> afterDisc = snapshot(s, root);
        Session.Runner r = s.runner().feed(x, xb).feed(y, yb).feed(t, tb).feed(seed, sb).addTarget(main.update());
        for (Op u : tg.averages()) {
          r.addTarget(u);
        }
        r.run();
        Map<String, float[]> afterMain = snapshot(s, root);
        int discMoved = 0;
        int generatorMoved = 0;
        int averageMoved = 0;
        for (String name : before.keySet()) {
          boolean byDisc = !Arrays.equals(before.get(name), afterDisc.get(name));
          boolean byMain = !Arrays.equals(afterDisc.get(name), afterMain.get(name));
          if (name.startsWith("gan.discriminator.")) {
            assertFalse(byMain, name + " was changed by the generator's step");
            discMoved += byDisc ? 1 : 0;
          } else if (name.startsWith("gan.generator.")) {
            assertFalse(byDisc, name + " was changed by the discriminator's step");
            generatorMoved += byMain ? 1 : 0;
          } else if (name.startsWith("gan.generator_ema.")) {
            assertFalse(byDisc, name + " was changed by the discriminator's step");
            averageMoved += byMain ? 1 : 0;
          } else {
            assertFalse(byDisc || byMain, name + " (frozen CLIP) changed");
          }
        }
        assertTrue(discMoved >= 6, discMoved + " discriminator variables moved");
        assertTrue(generatorMoved >= 6, generatorMoved + " generator variables moved");
        assertTrue(averageMoved >= 6, averageMoved + " averaged variables moved");
      }
    }
  }

  private static Map<String, float[]> snapshot(Session s, GraphScope root) {
    Map<String, float[]> out = new HashMap<>();
    for (VariableStore.Entry e : root.variables().entries(Set.of(VariableStore.Kind.PARAMETER, VariableStore.Kind.BUFFER))) {
      out.put(e.name(), root.variables().read(s, e.name()));
    }
    return out;
  }

  @Test
  void configErrorsNameTheProblem() {
    assertTrue(assertThrows(TesseraException.class, () -> ClipGanConfig.from(tiny().with("image_size", 10))).getMessage().contains("divisible by 4"));
    assertTrue(assertThrows(TesseraException.class, () -> ClipGanConfig.from(tiny().with("clip_weight", -1))).getMessage().contains("clip_weight"));
    assertTrue(assertThrows(TesseraException.class, () -> ClipGanConfig.from(tiny().with("ema_decay", 1.0))).getMessage().contains("ema_decay"));
    assertTrue(assertThrows(TesseraException.class, () -> ClipGanConfig.from(tiny().with("disc_start", -1))).getMessage().contains("disc_start"));
    assertTrue(assertThrows(TesseraException.class, () -> ClipGanConfig.from(tiny().with(FrozenEncoder.KEY, null))).getMessage()
        .contains("text_encoder"));
  }
}
