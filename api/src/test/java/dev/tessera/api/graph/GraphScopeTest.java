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
}
