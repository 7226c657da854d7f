package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.junit.jupiter.api.Test;

/** Indexed scopes name operations as TensorFlow Java's scopes do, and never twice, whoever else adds to the graph. */
class IndexedScopeTest {
  @Test
  void namesAreUniquePerPrefixAsOpScopeMakesThem() {
    try (Graph g = new Graph()) {
      Ops tf = IndexedScope.ops(g);
      assertEquals("Const", tf.constant(1f).op().name());
      assertEquals("Const_1", tf.constant(1f).op().name());
      Ops a = tf.withSubScope("a");
      assertEquals("a/Const", a.constant(1f).op().name());
      assertEquals("a/x", a.withName("x").constant(1f).op().name());
      assertEquals("a/x_1", a.withName("x").constant(1f).op().name());
      assertEquals("a_1/Const", tf.withSubScope("a").constant(1f).op().name(), "a second child of the same name");
      assertEquals("a/b/Const", a.withSubScope("b").constant(1f).op().name());
      assertEquals("a/Const_1", a.withDevice(org.tensorflow.DeviceSpec.newBuilder().build()).constant(1f).op().name(),
          "a scope derived by device shares the names");
    }
  }

  @Test
  void operationsOthersAddedAreNotNamedAgain() {
    try (Graph g = new Graph()) {
      Ops plain = Ops.create(g);
      plain.withSubScope("m").withName("w").constant(1f);
      plain.withName("Const").constant(2f);
      Ops tf = IndexedScope.ops(g);
      assertEquals("Const_1", tf.constant(1f).op().name());
      assertEquals("m_1/w", tf.withSubScope("m").withName("w").constant(1f).op().name(), "a second scope m, as TensorFlow names it");
      assertEquals("Const_2", Ops.create(g).constant(3f).op().name(), "TensorFlow's own root scope still sees ours");
      assertEquals("m_1/w_1", Ops.create(g).withSubScope("m_1").withName("w").constant(1f).op().name(),
          "TensorFlow's sub-scopes see ours");
      Ops second = IndexedScope.ops(g);
      assertEquals("Const_3", second.constant(4f).op().name(), "two indexed roots over one graph share the index");
    }
  }

  @Test
  void controlDependenciesAndBadNames() {
    try (Graph g = new Graph()) {
      Ops tf = IndexedScope.ops(g);
      var first = tf.constant(1f);
      var after = tf.withControlDependencies(java.util.List.of(first)).constant(2f);
      assertEquals(1, ((org.tensorflow.GraphOperation) after.op()).numControlInputs());
      assertThrows(IllegalArgumentException.class, () -> tf.withSubScope("a/b"));
      assertThrows(IllegalArgumentException.class, () -> tf.withName("bad name").constant(1f));
    }
  }
}
