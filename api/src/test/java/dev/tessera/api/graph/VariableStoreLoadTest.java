package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.io.TensorData;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * Loading weights that do not fit the model fails with a message a user can act on: the file,
 * the tensor and both shapes. Scope names from a damaged config are refused the same way.
 */
class VariableStoreLoadTest {
  private static final String SOURCE = "runs/tiny/model.safetensors";

  /** Builds a model with one [2, 3] kernel and one [3] bias under scope "m" and loads {@code weights} strictly. */
  private static float[] load(Parameters weights) {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      GraphScope scope = GraphScope.root(graph).child("m");
      scope.parameter("w", new long[] {2, 3}, Initializers.zeros());
      scope.parameter("b", new long[] {3}, Initializers.zeros());
      scope.variables().load(session, weights, VariableStore.MODEL_WEIGHTS, true);
      return scope.variables().read(session, "m.w");
    }
  }

  private static Parameters weights(long[] kernelShape) {
    return new Parameters(SOURCE)
        .put("m.w", TensorData.ofFloats(kernelShape, new float[] {1, 2, 3, 4, 5, 6}))
        .put("m.b", TensorData.ofFloats(new long[] {3}, new float[] {0, 0, 0}));
  }

  private static void assertMessage(TesseraException e, String... phrases) {
    for (String phrase : phrases) {
      assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "' in: " + e.getMessage());
    }
  }

  @Test
  void weightsOfTheRightShapeLoad() {
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, load(weights(new long[] {2, 3})));
  }

  @Test
  void aTensorOfAnotherShapeNamesTheFileTheTensorAndBothShapes() {
    TesseraException e = assertThrows(TesseraException.class, () -> load(weights(new long[] {3, 2})));
    assertMessage(e, SOURCE, "'m.w'", "[3, 2]", "[2, 3]");
    e = assertThrows(TesseraException.class, () -> load(weights(new long[] {6})));
    assertMessage(e, SOURCE, "'m.w'", "[6]", "[2, 3]");
  }

  @Test
  void aMissingOrAnUnusedTensorIsNamed() {
    Parameters missing = new Parameters(SOURCE).put("m.w", TensorData.ofFloats(new long[] {2, 3}, new float[6]));
    assertMessage(assertThrows(TesseraException.class, () -> load(missing)), SOURCE, "missing tensor 'm.b'", "[3]");
    Parameters extra = weights(new long[] {2, 3}).put("m.extra", TensorData.ofFloats(new long[] {1}, new float[1]));
    assertMessage(assertThrows(TesseraException.class, () -> load(extra)), SOURCE, "unexpected tensor 'm.extra'");
  }

  @Test
  void aScopeNameTensorFlowWouldRefuseIsTheProjectsOwnError() {
    try (Graph graph = new Graph()) {
      GraphScope root = GraphScope.root(graph);
      for (String bad : new String[] {"", "a/b", "\u0000", " model", ".hidden", "-x", "é"}) {
        assertMessage(assertThrows(TesseraException.class, () -> root.child(bad), bad), "invalid scope name");
      }
      assertTrue(root.child("vqvae").child("decoder.block-1_a").path().equals("vqvae.decoder.block-1_a"));
    }
  }
}
