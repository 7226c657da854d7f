package dev.tessera.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.api.graph.GraphScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class WholeBatchLossTest {
  /** In one process the whole batch is the model's own rows, its own part all of it, and the graph carries the loss for a cluster. */
  @Test
  void oneProcessBuildsTheLossFromItsOwnRows() {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Ops tf = scope.tf();
      Operand<TFloat32> rows = tf.constant(new float[][] {{1f, 2f}, {3f, 4f}});
      Operand<TFloat32>[] seen = newArray(2);
      WholeBatchLoss whole = new WholeBatchLoss(scope, Map.of("x", rows), batch -> {
        seen[0] = batch.rows("x");
        seen[1] = batch.own(seen[0]);
        Operand<TFloat32> loss = tf.reduceSum(seen[1], tf.constant(new int[] {0, 1}));
        return new TrainingGraph(loss, Map.of(), List.of(), List.of(), null);
      });
      TrainingGraph graph = whole.alone();
      assertSame(rows, seen[0]);
      assertSame(rows, seen[1]);
      assertSame(whole, graph.wholeBatch());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new WholeBatchLoss(scope, Map.of("x", rows), batch -> {
            batch.rows("y");
            return graph;
          }).alone());
      assertEquals("no rows named 'y' (the model gave [x])", e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32>[] newArray(int n) {
    return (Operand<TFloat32>[]) new Operand<?>[n];
  }
}
