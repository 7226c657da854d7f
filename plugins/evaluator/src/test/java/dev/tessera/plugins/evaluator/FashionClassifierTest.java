package dev.tessera.plugins.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The network is built from api layers whose gradients are checked one by one in api; a numeric
 * check of the whole 28x28 ReLU stack in float32 is dominated by ReLU kinks and rounding.
 */
class FashionClassifierTest {
  @Test
  void fewStepsReduceTheLoss() {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Placeholder<TFloat32> x = scope.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
      Placeholder<TInt32> y = scope.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      FashionClassifierModel model = new FashionClassifierModel();
      TrainingGraph tg = model.buildTraining(scope, model.defaultConfig(), new TrainingInputs(x, y));
      AdamOptimizer adam = new AdamOptimizer(scope, "optimizer", tg.loss(), tg.trainable(), AdamOptimizer.Config.defaults(1e-3));
      SplittableRandom r = new SplittableRandom(1);
      float[] px = new float[8 * 784];
      int[] labels = new int[8];
      for (int i = 0; i < 8; i++) {
        labels[i] = i % 10;
        for (int j = 0; j < 784; j++) {
          px[i * 784 + j] = (float) (r.nextDouble() * 0.2 + (j % 10 == labels[i] ? 0.8 : 0));
        }
      }
      try (Session s = new Session(g); TFloat32 xb = Tensors.floats(new long[] {8, 28, 28, 1}, px); TInt32 yb = Tensors.ints(new long[] {8}, labels)) {
        scope.variables().initialize(s, 2);
        float first = 0;
        float last = 0;
        for (int i = 0; i < 20; i++) {
          try (Result res = s.runner().feed(x, xb).feed(y, yb).addTarget(adam.update()).fetch(tg.loss()).run()) {
            last = Tensors.toScalar(res.get(0));
            if (i == 0) {
              first = last;
            }
          }
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
      }
    }
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
