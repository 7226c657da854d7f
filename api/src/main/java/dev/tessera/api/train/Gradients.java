package dev.tessera.api.train;

import dev.tessera.api.graph.VariableStore;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Symbolic gradients of a scalar loss with respect to chosen variables (Graph.addGradients). */
public final class Gradients {
  private Gradients() {}

  public static List<Output<TFloat32>> of(Graph graph, Operand<TFloat32> loss, List<VariableStore.Entry> variables) {
    Output<?>[] xs = new Output<?>[variables.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = variables.get(i).variable().asOutput();
    }
    return ofOutputs(graph, loss, xs, names(variables));
  }

  /** Gradients with respect to any float outputs (for example a placeholder, to test a layer). */
  public static List<Output<TFloat32>> ofOutputs(Graph graph, Operand<TFloat32> loss, Output<?>[] xs, List<String> names) {
    Output<?>[] dy = graph.addGradients(loss.asOutput(), xs);
    List<Output<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < dy.length; i++) {
      if (dy[i] == null) {
        throw new IllegalStateException("the loss does not depend on '" + names.get(i) + "'");
      }
      out.add(dy[i].expect(TFloat32.class));
    }
    return out;
  }

  /** sqrt(sum of squares of all gradients). */
  public static Operand<TFloat32> globalNorm(Ops tf, List<Output<TFloat32>> grads) {
    Operand<TFloat32> total = tf.constant(0f);
    for (Output<TFloat32> g : grads) {
      total = tf.math.add(total, tf.reduceSum(tf.math.square(g), allAxes(tf, g)));
    }
    return tf.math.sqrt(total);
  }

  static Operand<org.tensorflow.types.TInt32> allAxes(Ops tf, Operand<?> x) {
    return tf.range(tf.constant(0), tf.rank(x), tf.constant(1));
  }

  private static List<String> names(List<VariableStore.Entry> variables) {
    List<String> n = new ArrayList<>();
    for (VariableStore.Entry e : variables) {
      n.add(e.name());
    }
    return n;
  }
}
