package dev.tessera.plugins.vqgan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.ConvTranspose2d;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.testing.DummyAutoencoder;
import dev.tessera.api.testing.DummyComponents;
import dev.tessera.api.testing.DummyTextEncoder;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.TinyImages;
import dev.tessera.api.testing.TrainingSteps;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** VQGAN on 8x8 images: a one-conv encoder and decoder around the dummy 4-level quantizer, a dummy CLIP as feature network. */
class VqganModelTest {
  /** 8x8 -> 2x2x1 in [0, 1]: one 4x4 stride-4 convolution and a sigmoid. */
  static final class TinyEncoder implements Encoder {
    @Override
    public String name() {
      return "tiny";
    }

    @Override
    public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
      return scope.tf().math.sigmoid(new Conv2d(scope.child("conv"), 1, 1, 4, 4, "VALID", true).apply(images));
    }
  }

  /** 2x2x1 -> 8x8x1: one transposed convolution. */
  static final class TinyDecoder implements Decoder {
    @Override
    public String name() {
      return "tiny";
    }

    @Override
    public Operand<TFloat32> decode(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
      return new ConvTranspose2d(scope.child("deconv"), 1, 1, 4, 4).apply(latents);
    }
  }

  static ModelConfig tiny() {
    ModelConfig c = VqganConfig.defaults().with("encoder", "tiny").with("decoder", "tiny").with("quantizer", "dummy-vq")
        .with("init_from", "").with("perceptual_model", "").with(VqganConfig.PERCEPTUAL.key(), DummyTextEncoder.config())
        .with("disc_channels", 4).with("disc_start", 0);
    ModelConfig ae = DummyAutoencoder.config();
    for (String k : new String[] {"image_size", "channels", "codebook_size", "embedding_dim"}) {
      c = c.with(k, ae.node(k));
    }
    return c;
  }

  static DummyComponents components() {
    return DummyAutoencoder.withTextEncoder(new TinyEncoder(), new TinyDecoder());
  }

  static float[] images() {
    return TinyImages.quadrants(0.9f, 0.1f);
  }

  @Test
  void fewStepsReduceTheGeneratorLoss() {
    float[] l = TrainingSteps.run(new VqganModel(), tiny().with("disc_weight", 0.0), components(), new long[] {4, 8, 8, 1}, images(), new int[4],
        null, 3e-2, 80);
    assertTrue(TrainingSteps.mean(l, 70, 80) < 0.7 * TrainingSteps.mean(l, 0, 5), "loss " + TrainingSteps.mean(l, 0, 5) + " -> " + TrainingSteps.mean(l, 70, 80));
  }

  @Test
  void discriminatorGradientsMatchNumericOnes() {
    // Leaky ReLU kinks: allow some sampled coordinates to sit on one.
    // A weight of an early layer reaches every logit through many leaky-ReLU kinks; small steps keep them out of reach.
    GradientChecker.assertGradientsMatch(GradientChecker.Options.defaults().withEpsilon(2e-3).withMaxSkippedFraction(0.5),
        (scope, in) -> new PatchDiscriminator(scope.child("d"), 1, 2).logits(in.get(0)), new long[] {1, 8, 8, 1});
  }

  @Test
  void discriminatorGivesOneLogitPerPatch() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      var x = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
      assertArrayEquals(new long[] {-1, 7, 7, 1}, new PatchDiscriminator(root.child("d"), 1, 8).logits(x).shape().asArray());
    }
  }

  /** Runs one optimizer step of the main loss or of the discriminator phase; returns which variables changed. */
  @Test
  void eachOptimizerChangesOnlyItsOwnNetwork() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Placeholder<TFloat32> x = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 1)));
      Placeholder<TInt32> y = root.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TInt64> seed = root.tf().placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      TrainingGraph tg = new VqganModel().buildTraining(new TrainingContext(root, tiny(), new TrainingInputs(x, y, null, seed), components()));
      assertTrue(tg.phases().size() == 1 && tg.phases().get(0).name().equals("disc"));
      AdamOptimizer main = new AdamOptimizer(root, "optimizer", tg.loss(), tg.trainable(), AdamOptimizer.Config.defaults(0.1));
      TrainingGraph.Phase phase = tg.phases().get(0);
      AdamOptimizer disc = new AdamOptimizer(root, "optimizer_disc", phase.loss(), phase.trainable(), AdamOptimizer.Config.defaults(0.1));
      try (Session s = new Session(g); TFloat32 xb = Tensors.floats(new long[] {4, 8, 8, 1}, images()); TInt32 yb = Tensors.ints(new long[] {4}, new int[4]);
          TInt64 sb = TInt64.vectorOf(5, 10)) {
        root.variables().initialize(s, 1);
        Map<String, float[]> before = snapshot(s, root);
        s.runner().feed(x, xb).feed(y, yb).feed(seed, sb).addTarget(disc.update()).run();
        Map<String, float[]> afterDisc = snapshot(s, root);
        s.runner().feed(x, xb).feed(y, yb).feed(seed, sb).addTarget(main.update()).run();
        Map<String, float[]> afterMain = snapshot(s, root);
        int discChanged = 0;
        int generatorChanged = 0;
        for (String name : before.keySet()) {
          boolean discriminator = name.startsWith("vqgan.discriminator.");
          boolean byDiscStep = !java.util.Arrays.equals(before.get(name), afterDisc.get(name));
          boolean byMainStep = !java.util.Arrays.equals(afterDisc.get(name), afterMain.get(name));
          if (discriminator) {
            assertFalse(byMainStep, name + " was changed by the generator's step");
            discChanged += byDiscStep ? 1 : 0;
          } else {
            assertFalse(byDiscStep, name + " was changed by the discriminator's step");
            generatorChanged += byMainStep ? 1 : 0;
          }
        }
        // (The hinge loss's gradient for the last bias cancels while all logits lie in (-1, 1), so not every variable moves.)
        assertTrue(discChanged >= 6, discChanged + " discriminator variables moved");
        assertTrue(generatorChanged >= 2, generatorChanged + " generator variables moved");
      }
    }
  }

  private static Map<String, float[]> snapshot(Session s, GraphScope root) {
    Map<String, float[]> out = new HashMap<>();
    for (VariableStore.Entry e : root.variables().entries(java.util.Set.of(VariableStore.Kind.PARAMETER))) {
      out.put(e.name(), root.variables().read(s, e.name()));
    }
    return out;
  }

  @Test
  void configErrorsNameTheProblem() {
    assertTrue(assertThrows(TesseraException.class, () -> VqganConfig.from(tiny().with("disc_weight", -1))).getMessage().contains("disc_weight"));
    assertTrue(assertThrows(TesseraException.class, () -> VqganConfig.from(tiny().with("disc_start", -5))).getMessage().contains("disc_start"));
  }
}
