package dev.tessera.runtime.train;

import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.DType;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.io.TensorData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Session;

/**
 * Says where a run went non-finite: the loss tensor by its graph name, the metrics that are NaN
 * or infinite in the same step, and the model variables that already hold NaN or Inf (by name,
 * with how many of their values). Used only on the failure path, so reading every variable back
 * is affordable; it never throws, so the divergence itself is always reported.
 */
final class DivergenceDiagnosis {
  static final int MAX_NAMED_VARIABLES = 5;

  private DivergenceDiagnosis() {}

  /** "tensor 'x/loss' became NaN at step 5 (non-finite metrics: ...; variables holding NaN/Inf: ...)". */
  static String describe(String tensorName, double value, long step, Map<String, Double> metrics, Session session, VariableStore variables) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "tensor '%s' became %s at step %d", tensorName, value, step));
    List<String> details = new ArrayList<>();
    List<String> badMetrics = new ArrayList<>();
    metrics.forEach((name, v) -> {
      if (v != null && (v.isNaN() || v.isInfinite())) {
        badMetrics.add(name + "=" + v);
      }
    });
    if (!badMetrics.isEmpty()) {
      details.add("non-finite metrics: " + String.join(", ", badMetrics));
    }
    String bad = nonFiniteVariables(session, variables);
    if (bad != null) {
      details.add(bad);
    }
    if (!details.isEmpty()) {
      b.append(" (").append(String.join("; ", details)).append(')');
    }
    return b.toString();
  }

  private static String nonFiniteVariables(Session session, VariableStore variables) {
    try {
      Parameters now = variables.snapshot(session, VariableStore.MODEL_WEIGHTS);
      List<String> named = new ArrayList<>();
      int total = 0;
      for (String name : now.names()) {
        TensorData t = now.get(name);
        if (t.dtype() != DType.F32 && t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
          continue;
        }
        int count = 0;
        float[] values = t.toFloats();
        for (float v : values) {
          if (!Float.isFinite(v)) {
            count++;
          }
        }
        if (count > 0) {
          total++;
          if (named.size() < MAX_NAMED_VARIABLES) {
            named.add(String.format(Locale.ROOT, "%s (%d of %d values)", name, count, values.length));
          }
        }
      }
      if (total == 0) {
        return "every variable is still finite: the non-finite value arose in this step's computation";
      }
      return "variables holding NaN/Inf after the update: " + String.join(", ", named) + (total > named.size() ? " and " + (total - named.size()) + " more" : "");
    } catch (RuntimeException e) {
      return null; // the diagnosis is a courtesy; the divergence message must still be thrown
    }
  }
}
