package dev.tessera.plugins.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * The network is built from api layers whose gradients are checked one by one in api; a numeric
 * check of the whole 28x28 ReLU stack in float32 is dominated by ReLU kinks and rounding.
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
}
