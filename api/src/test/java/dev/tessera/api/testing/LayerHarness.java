package dev.tessera.api.testing;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Runs a graph fragment forward once, for value tests against a direct Java computation: builds
 * it on a fresh graph, initialises its variables (seeded), overrides chosen variables with known
 * values, feeds the inputs and returns the output together with every variable's value.
 */
public final class LayerHarness {
  private LayerHarness() {}

  /** An input: shape and row-major values. */
  public record Input(long[] shape, float[] values) {
    public Input {
      if (Shape.of(shape).size() != values.length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + Shape.of(shape).size() + " values, got " + values.length);
      }
    }
  }

  /** The output (shape and row-major values) and the value of every variable used to compute it. */
  public record Output(long[] shape, float[] values, Map<String, float[]> variables) {
    /** The element at a coordinate. */
    public float at(long... coordinate) {
      if (coordinate.length != shape.length) {
        throw new IllegalArgumentException("coordinate rank " + coordinate.length + " for shape " + Arrays.toString(shape));
      }
      long flat = 0;
      for (int d = 0; d < shape.length; d++) {
        flat = flat * shape[d] + coordinate[d];
      }
      return values[Math.toIntExact(flat)];
    }

    public float[] variable(String name) {
      float[] v = variables.get(name);
      if (v == null) {
        throw new IllegalArgumentException("no variable '" + name + "'; have " + variables.keySet());
      }
      return v;
    }
  }

  public static Input input(long[] shape, float... values) {
    return new Input(shape, values);
  }

  /** Runs with variables from their initializers only. */
  public static Output run(GradientChecker.LossBuilder builder, Input... inputs) {
    return run(builder, Map.of(), 7, inputs);
  }

  /**
   * @param overrides variable name to values, assigned after seeded initialisation
   * @param seed initialisation seed
   */
  public static Output run(GradientChecker.LossBuilder builder, Map<String, float[]> overrides, long seed, Input... inputs) {
    try (Graph graph = new Graph()) {
      GraphScope scope = GraphScope.root(graph);
      List<Placeholder<TFloat32>> placeholders = new ArrayList<>();
      for (int i = 0; i < inputs.length; i++) {
        placeholders.add(scope.tf().withSubScope("harness").withName("input" + i)
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(inputs[i].shape()))));
      }
      // Identity: TF refuses to fetch a tensor that is also fed, e.g. when y is an input itself.
      Operand<TFloat32> y = scope.tf().withSubScope("harness").identity(builder.build(scope, List.copyOf(placeholders)));
      try (Session session = new Session(graph)) {
        scope.variables().initialize(session, seed);
        overrides.forEach((name, v) -> scope.variables().assign(session, name, v));
        Map<String, float[]> variables = new LinkedHashMap<>();
        for (VariableStore.Entry e : scope.variables().entries()) {
          variables.put(e.name(), scope.variables().read(session, e.name()));
        }
        List<TFloat32> fed = new ArrayList<>();
        try {
          Session.Runner runner = session.runner();
          for (int i = 0; i < inputs.length; i++) {
            TFloat32 t = Tensors.floats(inputs[i].shape(), inputs[i].values());
            fed.add(t);
            runner.feed(placeholders.get(i), t);
          }
          try (Result result = runner.fetch(y).run()) {
            return new Output(result.get(0).shape().asArray(), Tensors.toFloats(result.get(0)), Map.copyOf(variables));
          }
        } finally {
          fed.forEach(TFloat32::close);
        }
      }
    }
  }
}
