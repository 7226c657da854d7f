package dev.tessera.api.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** HingeLoss, ClipLoss and WeightAverage on tensors small enough to check by hand. */
class GanLossesTest {
  private static float scalar(Function<Ops, Operand<TFloat32>> build) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      try (Result r = s.runner().fetch(build.apply(Ops.create(g))).run()) {
        return Tensors.toScalar(r.get(0));
      }
    }
  }

  @Test
  void hingeLossesMatchTheirDefinitionsForAnyRank() {
    float[] real = {2f, 0.5f, -1f, 1f};
    float[] fake = {-2f, 0f, 0.5f, -0.5f};
    // relu(1 - real) = 0, 0.5, 2, 0 -> 0.625; relu(1 + fake) = 0, 1, 1.5, 0.5 -> 0.75
    assertEquals(0.625 + 0.75, scalar(tf -> HingeLoss.discriminator(tf, tf.constant(real), tf.constant(fake))), 1e-6);
    float[][][][] patches = {{{{2f}, {0.5f}}, {{-1f}, {1f}}}};
    assertEquals(0.625, scalar(tf -> HingeLoss.belowOne(tf, tf.constant(patches))), 1e-6);
    assertEquals(0.75, scalar(tf -> HingeLoss.aboveMinusOne(tf, tf.constant(fake))), 1e-6);
    assertEquals(0.5, scalar(tf -> HingeLoss.generator(tf, tf.constant(fake))), 1e-6);
  }

  @Test
  void clipLossIsOneMinusTheMeanCosine() {
    float[][] a = {{3f, 0f}, {1f, 1f}};
    float[][] b = {{2f, 0f}, {-1f, 0f}}; // cosines 1 and -1/sqrt(2)
    assertEquals(1 - (1 - 1 / Math.sqrt(2)) / 2, scalar(tf -> ClipLoss.of(tf, tf.constant(a), tf.constant(b))), 1e-6);
  }

  @Test
  void weightAverageStartsAsACopyAndFollowsTheWarmedUpDecay() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Ops tf = root.tf();
      root.child("net").parameter("w", new long[] {2}, Initializers.normal(1.0));
      var step = tf.placeholder(TFloat32.class);
      List<Op> updates = WeightAverage.track(root, root.variables().trainable("net."), "net.", "avg.", 0.5, step);
      assertEquals(VariableStore.Kind.BUFFER, root.variables().entry("avg.w").kind());
      try (Session s = new Session(g)) {
        root.variables().initialize(s, 3);
        assertArrayEquals(root.variables().read(s, "net.w"), root.variables().read(s, "avg.w"));
        root.variables().assign(s, "avg.w", new float[] {0, 0});
        root.variables().assign(s, "net.w", new float[] {10, -10});
        // step 0: d = min(0.5, 1/10) = 0.1 -> avg = 0.9 w
        run(s, updates, step, 0);
        assertArrayEquals(new float[] {9, -9}, root.variables().read(s, "avg.w"), 1e-5f);
        // step 100: d = 0.5 -> avg = 0.5 * 9 + 0.5 * 10
        run(s, updates, step, 100);
        assertArrayEquals(new float[] {9.5f, -9.5f}, root.variables().read(s, "avg.w"), 1e-5f);
      }
    }
  }

  private static void run(Session s, List<Op> updates, Operand<TFloat32> step, float value) {
    try (TFloat32 t = TFloat32.scalarOf(value)) {
      Session.Runner r = s.runner().feed(step, t);
      updates.forEach(r::addTarget);
      r.run().close();
    }
  }

  @Test
  void weightAverageRejectsABadDecayAndForeignVariables() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      root.child("net").parameter("w", new long[] {1}, Initializers.zeros());
      var step = root.tf().constant(0f);
      var vars = root.variables().trainable("net.");
      assertTrue(assertThrows(TesseraException.class, () -> WeightAverage.track(root, vars, "net.", "avg.", 1.0, step)).getMessage()
          .contains("decay"));
      assertTrue(assertThrows(TesseraException.class, () -> WeightAverage.track(root, vars, "other.", "avg.", 0.9, step)).getMessage()
          .contains("not under 'other.'"));
    }
  }
}
