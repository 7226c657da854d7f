package dev.tessera.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.VariableStore;
import java.util.Arrays;
import org.tensorflow.Operand;

/** The checks the SPI contract test bases share. */
public final class ContractAssertions {
  /** The seed the contract tests initialise variables with. */
  public static final long SEED = 7;

  /** Two runs of the same input and seed may differ by float rounding at most. */
  static final double REPEAT_TOLERANCE = 1e-6;

  private ContractAssertions() {}

  /**
   * The run's output has the expected shape, and the shape known when the graph was built agrees
   * with it on every axis it knows (pipelines build on static shapes).
   */
  public static void assertShape(String what, long[] expected, Operand<?> built, GraphRun.Values ran) {
    assertArrayEquals(expected, ran.shape(), () -> what + ": ran with shape " + Arrays.toString(ran.shape())
        + ", expected " + Arrays.toString(expected));
    long[] known = built.shape().asArray();
    assertEquals(expected.length, known.length, () -> what + ": the graph's static shape " + Arrays.toString(known)
        + " has another rank than " + Arrays.toString(expected));
    for (int i = 0; i < known.length; i++) {
      int axis = i;
      assertTrue(known[i] < 0 || known[i] == expected[i], () -> what + ": static shape " + Arrays.toString(known)
          + " disagrees with the run's " + Arrays.toString(expected) + " on axis " + axis);
    }
  }

  /** Every value is a finite number. */
  public static void assertFinite(String what, float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        fail(what + ": value " + i + " of " + values.length + " is " + values[i]);
      }
    }
  }

  /** Equal within {@code tolerance * max(1, |expected|)} per value. */
  public static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
    assertEquals(expected.length, actual.length, what + ": another number of values");
    for (int i = 0; i < expected.length; i++) {
      double allowed = tolerance * Math.max(1, Math.abs(expected[i]));
      if (!(Math.abs(expected[i] - actual[i]) <= allowed)) {
        fail(what + ": value " + i + " is " + actual[i] + ", expected " + expected[i] + " (tolerance " + allowed + ")");
      }
    }
  }

  /** The same input and seed gave the same output (up to float rounding). */
  public static void assertRepeats(String what, GraphRun.Values first, GraphRun.Values again) {
    assertArrayEquals(first.shape(), again.shape(), what + ": the shape changed between runs");
    assertClose(what + " (run again)", first.values(), again.values(), REPEAT_TOLERANCE);
  }

  /**
   * Every variable in the graph is named under {@code scope}: a component builds only under the
   * scope it is handed, so its weights load by the names the caller chose.
   */
  public static void assertVariablesUnder(GraphScope scope) {
    String prefix = scope.path() + ".";
    for (VariableStore.Entry e : scope.variables().entries()) {
      assertTrue(e.name().startsWith(prefix), () -> "variable '" + e.name() + "' is outside the scope '" + scope.path()
          + "' the component was handed");
    }
  }
}
