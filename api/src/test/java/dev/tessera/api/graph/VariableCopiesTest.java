package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.graph.VariableStore.Kind;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.io.TensorData;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A view of a store that holds copies of its variables ({@link VariableStore#placedOn}: all-reduce training): a
 * scope built on it gets its copies under the same names, every write sets the variable and every copy, and reads,
 * saves and counts see the variables alone.
 */
class VariableCopiesTest {
  private static float[] fetch(Session session, Variable<TFloat32> v) {
    try (Result r = session.runner().fetch(v).run()) {
      return Tensors.toFloats((TFloat32) r.get(0));
    }
  }

  @Test
  void aReplicaWithItsOwnVariablesGetsCopiesThatEveryWriteSets() {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      GraphScope root = GraphScope.root(graph);
      Variable<TFloat32> w = root.child("m").parameter("w", new long[] {2}, Initializers.constant(1f));
      GraphScope replica = root.replicaWithOwnVariables("task1", DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build());
      Variable<TFloat32> copy = replica.child("m").parameter("w", new long[] {2}, Initializers.constant(1f));
      Variable<TFloat32> state = replica.trainingState("opt.step", new long[0], Initializers.zeros());
      assertNotSame(w, copy);
      assertEquals("m.w.task1", copy.op().name());
      assertSame(copy, replica.variables().entry("m.w").variable(), "the view hands out its copy by the variable's name");
      assertEquals(List.of(copy), replica.variables().trainable("m.").stream().map(VariableStore.Entry::variable).toList());
      assertSame(w, root.variables().entry("m.w").variable(), "the store hands out the variable");
      assertSame(replica.variables(), root.variables().placedOn("task1", DeviceSpec.newBuilder().build()), "one view per label");

      // the copy's creation made the variable (a state first asked for by the view) in the store too
      assertTrue(root.variables().contains("opt.step"));
      assertEquals(3, root.variables().count(EnumSet.allOf(Kind.class)), "copies are not counted");

      root.variables().initialize(session, 7);
      assertArrayEquals(fetch(session, w), fetch(session, copy));
      assertArrayEquals(new float[] {0f}, new float[] {fetch(session, state)[0]});
      root.variables().assign(session, "m.w", new float[] {3f, 4f});
      assertArrayEquals(new float[] {3f, 4f}, fetch(session, copy), "a hook's assignment reaches the copy");
      replica.variables().load(session, new Parameters("w").put("m.w", TensorData.ofFloats(new long[] {2}, new float[] {5f, 6f})),
          EnumSet.of(Kind.PARAMETER), false);
      assertArrayEquals(new float[] {5f, 6f}, fetch(session, w), "a load through the view sets the variable");
      assertArrayEquals(new float[] {5f, 6f}, fetch(session, copy));

      // reads and snapshots (checkpoints) read the variable itself, not a copy
      session.runner().addTarget(root.tf().assign(copy, root.tf().constant(new float[] {9f, 9f}))).run();
      assertArrayEquals(new float[] {5f, 6f}, replica.variables().read(session, "m.w"));
      assertArrayEquals(new float[] {5f, 6f}, replica.variables().snapshot(session, EnumSet.of(Kind.PARAMETER)).get("m.w").toFloats());
      assertEquals(List.of("m.w"), List.copyOf(root.variables().snapshot(session, EnumSet.of(Kind.PARAMETER)).names()));
    }
  }
}
