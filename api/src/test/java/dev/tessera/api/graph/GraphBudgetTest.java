package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Sizes from a config are held to the budget in Java, before TensorFlow can abort the process on them. */
class GraphBudgetTest {
  @Test
  void aVariableOverTheBudgetIsRefusedBeforeItIsBuilt() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      root.variables().variable("small", new long[] {3, 3, 8, 8}, Initializers.zeros(), VariableStore.Kind.PARAMETER);
      GraphBudget.OverBudget e = assertThrows(GraphBudget.OverBudget.class, () -> root.variables().variable("big",
          new long[] {4, 4, 32768, 65536}, Initializers.zeros(), VariableStore.Kind.PARAMETER));
      assertTrue(e.getMessage().startsWith("variable 'big' of shape [4, 4, 32768, 65536] would bring the model to 34.4 G parameters, more "
          + "than the limit of 268.4 M"), e.getMessage());
      assertEquals(1, root.variables().entries().size(), "nothing of it was built");
      ModelConfig config = ModelConfig.empty().with("hidden_channels", 65536).with("layers", 4).with("name", "x");
      assertTrue(e.naming(config).getMessage().contains("lower hidden_channels = 65536 or layers = 4 in the model's config"),
          e.naming(config).getMessage());
      assertThrows(GraphBudget.OverBudget.class, () -> root.variables().variable("overflow",
          new long[] {Long.MAX_VALUE, 2}, Initializers.zeros(), VariableStore.Kind.PARAMETER));
    }
  }

  @Test
  void manyVariablesTogetherAreHeldToTheBudget() {
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      long[] quarter = {GraphBudget.MAX_PARAMETERS / 4};
      for (int i = 0; i < 4; i++) {
        root.variables().variable("v" + i, quarter, Initializers.zeros(), VariableStore.Kind.PARAMETER);
      }
      assertThrows(TesseraException.class, () -> root.variables().variable("one-more", new long[] {1}, Initializers.zeros(),
          VariableStore.Kind.PARAMETER));
    }
  }

  @Test
  void aTensorOverTheBudgetPerExampleIsRefusedBeforeASessionOpens() {
    try (Graph g = new Graph()) {
      var tf = GraphScope.root(g).tf();
      tf.withName("fine").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 64, 64, 3)));
      GraphBudget.checkActivations(g);
      tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 60000, 60000, 1)));
      TesseraException e = assertThrows(TesseraException.class, () -> GraphBudget.checkActivations(g));
      assertTrue(e.getMessage().startsWith("tensor 'images' of shape [-1, 60000, 60000, 1] would hold 3.6 G values per example"),
          e.getMessage());
    }
  }
}
