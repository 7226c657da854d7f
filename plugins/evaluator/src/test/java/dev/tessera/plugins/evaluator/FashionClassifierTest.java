package dev.tessera.plugins.evaluator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.layers.Conv2d;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The Fashion-MNIST classifier. The whole network's numeric gradient check runs at a tiny size in
 * {@link TwemojiClassifierTest} (same code); at 28x28 it would be dominated by ReLU kinks.
 */
class FashionClassifierTest {
  @Test
  void fewStepsReduceTheLoss() {
    SplittableRandom r = new SplittableRandom(1);
    float[] px = new float[8 * 784];
    int[] labels = new int[8];
    for (int i = 0; i < 8; i++) {
      labels[i] = i % 10;
      for (int j = 0; j < 784; j++) {
        px[i * 784 + j] = (float) (r.nextDouble() * 0.2 + (j % 10 == labels[i] ? 0.8 : 0));
      }
    }
    FashionClassifierModel model = new FashionClassifierModel();
    float[] l = dev.tessera.api.testing.TrainingSteps.run(model, model.defaultConfig(), new long[] {8, 28, 28, 1}, px, labels, null, 1e-3, 20);
    assertTrue(l[19] < 0.5 * l[0], "loss " + l[0] + " -> " + l[19]);
  }

  @Test
  void probabilitiesSumToOneAndFeaturesHave128Dimensions() {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Operand<TFloat32> images = scope.tf().zeros(scope.tf().constant(new int[] {3, 28, 28, 1}), TFloat32.class);
      Operand<TFloat32> p = new FashionClassEncoder().encodeImages(scope.child("e"), null, images);
      Operand<TFloat32> f = new FashionFeatureEncoder().encodeImages(scope.child("e"), null, images);
      try (Session s = new Session(g)) {
        scope.variables().initialize(s, 1);
        try (Result r = s.runner().fetch(p).fetch(f).run()) {
          float[] probs = Tensors.toFloats(r.get(0));
          float sum = 0;
          for (int i = 0; i < 10; i++) {
            sum += probs[i];
          }
          assertEquals(1f, sum, 1e-5);
          assertEquals(3 * 128, Tensors.toFloats(r.get(1)).length);
        }
      }
    }
  }

  /**
   * The shipped weights (whose config.json names no classes) still load strictly into the
   * generalised network and give what the 28x28x1, 10-class network gave before it was generalised:
   * the probabilities and feature sums below were printed by that code on these four images.
   */
  @Test
  void theShippedWeightsLoadAndClassifyAsBeforeTheNetworkWasGeneralised() {
    ModelWeights w = new FashionClassifierModel().shippedWeights();
    assertTrue(w != null, "the evaluator ships its Fashion-MNIST weights");
    ClassifierNetwork.Spec spec = ClassifierNetwork.Spec.of(w.config());
    // The config names its classes (added 2026-12-07; the tensors are the ones shipped before).
    assertEquals(new ClassifierNetwork.Spec(28, 1, 10, java.util.List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
        "sneaker", "bag", "ankle boot")), spec);
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      GraphScope scope = root.child(w.config().getString("scope", "evaluator"));
      Placeholder<TFloat32> x = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
      Operand<TFloat32> p = new FashionClassEncoder().encodeImages(scope, w.config(), x);
      Operand<TFloat32> f = new FashionFeatureEncoder().encodeImages(scope, w.config(), x);
      try (Session s = new Session(g)) {
        root.variables().load(s, w.parameters(), VariableStore.MODEL_WEIGHTS, true);
        try (TFloat32 in = Tensors.floats(new long[] {4, 28, 28, 1}, shapes()); Result r = s.runner().feed(x, in).fetch(p).fetch(f).run()) {
          float[] probs = Tensors.toFloats(r.get(0));
          float[] features = Tensors.toFloats(r.get(1));
          int[] predicted = new int[4];
          float[] best = new float[4];
          double[] featureSums = new double[4];
          for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 10; c++) {
              if (probs[i * 10 + c] > probs[i * 10 + predicted[i]]) {
                predicted[i] = c;
              }
            }
            best[i] = probs[i * 10 + predicted[i]];
            for (int j = 0; j < 128; j++) {
              featureSums[i] += features[i * 128 + j];
            }
          }
          // t-shirt, trouser, sandal, bag
          assertArrayEquals(new int[] {0, 1, 5, 8}, predicted);
          assertArrayEquals(new float[] {0.5040169f, 1.0f, 0.88078624f, 0.5899994f}, best, 1e-5f);
          assertArrayEquals(new double[] {385.50946709513664, 530.7514250278473, 549.0381953120232, 795.9911287724972}, featureSums, 1e-3);
        }
      }
    }
  }

  @Test
  void flopsAreTheFixedNetworksAtTheDefaults() {
    assertEquals(Conv2d.flops(28, 28, 3, 1, 32) + Conv2d.flops(14, 14, 3, 32, 32) + Conv2d.flops(14, 14, 3, 32, 64)
        + Conv2d.flops(7, 7, 3, 64, 64) + 2L * 7 * 7 * 64 * 128 + 2L * 128 * 10, new FashionClassifierModel().forwardFlopsPerExample(null));
  }

  /** A block, two legs, a low wide shape and a sine pattern, 28x28. */
  private static float[] shapes() {
    float[] px = new float[4 * 784];
    for (int k = 0; k < 4; k++) {
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          double v = switch (k) {
            case 0 -> (x > 6 && x < 21 && y > 3) ? 0.8 : 0.0;
            case 1 -> (Math.abs(x - 9) < 3 || Math.abs(x - 18) < 3) && y > 2 ? 0.7 : 0.0;
            case 2 -> y > 16 && y < 24 && x > 2 && x < 26 ? 0.9 : 0.0;
            default -> 0.5 + 0.5 * Math.sin(0.4 * x + 0.7 * y);
          };
          px[k * 784 + y * 28 + x] = (float) v;
        }
      }
    }
    return px;
  }
}
