package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TFloat32;

class TracedRunsTest {
  private static float runOnce(Session s, Placeholder<TFloat32> x, Operand<TFloat32> y) {
    try (TFloat32 three = TFloat32.scalarOf(3f); Result r = TracedRuns.run(s.runner().feed(x, three).fetch(y))) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  @Test
  void runsArePlainOutsideTracingAndTracedInside() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      Operand<TFloat32> y = tf.withName("product").math.mul(x, tf.constant(4f));
      List<RunMetadata> seen = new ArrayList<>();
      assertEquals(12f, runOnce(s, x, y));
      assertEquals(0, seen.size());
      float inside = TracedRuns.tracing((m, nanos) -> seen.add(m), () -> runOnce(s, x, y) + runOnce(s, x, y));
      assertEquals(24f, inside);
      assertEquals(2, seen.size(), "each run inside is traced");
      assertTrue(seen.get(0).getStepStats().getDevStatsList().stream()
          .flatMap(d -> d.getNodeStatsList().stream()).anyMatch(n -> n.getNodeName().equals("product")), "step stats name the nodes");
      assertEquals(12f, runOnce(s, x, y));
      assertEquals(2, seen.size(), "tracing ends with the work");
    }
  }

  @Test
  void nestedTracingRestoresTheOuterListenerEvenAfterAFailure() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      Operand<TFloat32> y = tf.math.mul(x, tf.constant(1f));
      List<String> seen = new ArrayList<>();
      TracedRuns.tracing((m, n) -> seen.add("outer"), () -> {
        assertThrows(IllegalStateException.class, () -> TracedRuns.tracing((m, n) -> seen.add("inner"), () -> {
          runOnce(s, x, y);
          throw new IllegalStateException("boom");
        }));
        return runOnce(s, x, y);
      });
      assertEquals(List.of("inner", "outer"), seen);
    }
  }
}
