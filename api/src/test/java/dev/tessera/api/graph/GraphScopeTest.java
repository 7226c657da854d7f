package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;

/** Scope paths: children, dotted descent, and names TensorFlow would refuse. */
class GraphScopeTest {
  @Test
  void descendFollowsADottedPathLikeNestedChildren() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      assertEquals("gan.generator_ema", root.descend("gan.generator_ema").path());
      assertEquals(root.child("gan").child("generator_ema").path(), root.descend("gan.generator_ema").path());
      assertEquals("a.b.c", root.child("a").descend("b.c").path());
      root.descend("gan.generator_ema").parameter("w", new long[] {1}, Initializers.zeros());
      assertTrue(root.variables().contains("gan.generator_ema.w"));
    }
  }

  @Test
  void anEmptyPartOfAPathIsAnInvalidScopeName() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      for (String bad : new String[] {"", "gan.", ".gan", "gan..ema"}) {
        assertTrue(assertThrows(TesseraException.class, () -> root.descend(bad)).getMessage().contains("invalid scope name"), bad);
      }
    }
  }

  @Test
  void aCachingReplicaReadsEachVariableThroughOneCopyOnItsDevice() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      org.tensorflow.op.core.Variable<org.tensorflow.types.TFloat32> w = root.parameter("w", new long[] {2}, Initializers.zeros());
      assertTrue(root.read(w) == w, "outside a caching replica a read is the variable itself");
      assertTrue(root.replica("task0", org.tensorflow.DeviceSpec.newBuilder().build()).read(w) == w);
      assertEquals(java.util.List.of(), root.cachedReads());

      org.tensorflow.DeviceSpec task1 = org.tensorflow.DeviceSpec.newBuilder().job("worker").task(1).deviceType(org.tensorflow.DeviceSpec.DeviceType.CPU).deviceIndex(0).build();
      GraphScope replica = root.replica("task1", task1, true);
      org.tensorflow.Operand<org.tensorflow.types.TFloat32> first = replica.child("layer").read(w);
      org.tensorflow.Operand<org.tensorflow.types.TFloat32> again = replica.child("other").read(w);
      assertTrue(first == again, "one copy per variable, whichever child reads it");
      assertEquals("Identity", first.op().type());
      assertEquals("/job:worker/task:1/device:CPU:0", ((org.tensorflow.GraphOperation) first.op()).device());
      assertEquals(1, replica.cachedReads().size());
      assertEquals(1, replica.child("layer").cachedReads().size(), "children share the replica's copies");
      org.tensorflow.Operand<org.tensorflow.types.TFloat32> u = replica.child("layer").weight("u", new long[] {3}, Initializers.ones());
      assertEquals("Identity", u.op().type());
      assertEquals(2, replica.cachedReads().size());
    }
  }
}
