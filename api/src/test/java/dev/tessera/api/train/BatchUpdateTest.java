package dev.tessera.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.junit.jupiter.api.Test;

class BatchUpdateTest {
  @Test
  void oneProcessBuildsTheUpdateFromItsOwnSumsAfterItsReaders() {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Ops tf = scope.tf();
      Variable<TFloat32> total = scope.buffer("total", new long[] {2}, Initializers.zeros());
      Operand<TFloat32> read = tf.identity(total);
      BatchUpdate update = new BatchUpdate(Map.of("counts", tf.constant(new float[] {1f, 3f})), List.<Op>of(read),
          (after, sums) -> List.of(after.assign(total, after.math.add(total, sums.get("counts")))));
      List<Op> ops = update.buildAlone(tf);
      assertEquals(1, ops.size());
      GraphOperation assign = (GraphOperation) ops.get(0).op();
      assertTrue(assign.controlInputs().contains((GraphOperation) read.op()), "the update waits for the readers");
      try (Session s = new Session(g)) {
        scope.variables().initialize(s, 1);
        s.runner().addTarget(ops.get(0)).run().close();
        s.runner().addTarget(ops.get(0)).run().close();
        float[] v = scope.variables().read(s, "total");
        assertEquals(2f, v[0]);
        assertEquals(6f, v[1]);
      }
    }
  }
}
