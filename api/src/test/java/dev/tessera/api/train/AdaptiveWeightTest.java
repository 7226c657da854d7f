package dev.tessera.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** lambda on a graph small enough to differentiate by hand. */
class AdaptiveWeightTest {
  private static float weight(float recScale, float ganScale) {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Ops tf = root.tf();
      // w = (1, 2); y = w * x with x = (3, -1).
      var w = root.parameter("w", new long[] {2}, Initializers.zeros());
      Operand<TFloat32> y = tf.math.mul(w, tf.constant(new float[] {3, -1}));
      // L_rec = recScale * sum(y^2): grad = recScale * 2 y x = recScale * (18, 4) -> norm recScale * sqrt(340).
      Operand<TFloat32> rec = tf.math.mul(tf.constant(recScale), tf.reduceSum(tf.math.square(y), tf.constant(0)));
      // L_gan = -ganScale * sum(y): grad = -ganScale * x -> norm ganScale * sqrt(10).
      Operand<TFloat32> gan = tf.math.mul(tf.constant(-ganScale), tf.reduceSum(y, tf.constant(0)));
      VariableStore.Entry entry = root.variables().entry("w");
      Operand<TFloat32> lambda = AdaptiveWeight.of(root, rec, gan, entry);
      try (Session s = new Session(g)) {
        root.variables().initialize(s, 1);
        root.variables().assign(s, "w", new float[] {1, 2});
        try (Result r = s.runner().fetch(lambda).run()) {
          return Tensors.toScalar(r.get(0));
        }
      }
    }
  }

  @Test
  void matchesTheHandComputation() {
    assertEquals(Math.sqrt(340) / (Math.sqrt(10) + 1e-4), weight(1, 1), 1e-3);
    assertEquals(0.5 * Math.sqrt(340) / (3 * Math.sqrt(10) + 1e-4), weight(0.5f, 3), 1e-3);
  }

  @Test
  void isClampedWhenTheGanGradientVanishes() {
    assertEquals(AdaptiveWeight.MAX, weight(1, 0), 1e-3);
  }
}
