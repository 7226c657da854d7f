package dev.tessera.api.train;

import dev.tessera.api.graph.VariableStore;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** Work a model does in Java between training steps. */
@FunctionalInterface
public interface StepHook {
  void afterStep(Context context);

  /**
   * The batch tensors the hook reads, by name, each with the batch's examples along its first axis; the hook fetches
   * them through {@link Context#rows}. Null (the default) for a hook that fetches through {@link Context#runner}
   * instead. A hook that declares its rows runs on a cluster: there each name's tensor is every replica's
   * concatenated in shard order, the whole batch's rows as one process has them; a hook that does not is refused.
   */
  default Map<String, Operand<TFloat32>> rows() {
    return null;
  }

  /**
   * @param step the step just finished (1-based)
   * @param runner a fresh runner with this step's batch fed, to fetch activations
   * @param random seeded per step, so hooks are deterministic and resume exactly
   * @param rows the tensors of {@link StepHook#rows} for the whole batch (empty for a hook without rows)
   */
  record Context(long step, Session session, VariableStore variables, java.util.function.Supplier<Session.Runner> runner, SplittableRandom random,
      Map<String, Operand<TFloat32>> rows) {
    public Context {
      rows = rows == null ? Map.of() : Map.copyOf(rows);
    }

    public Context(long step, Session session, VariableStore variables, java.util.function.Supplier<Session.Runner> runner, SplittableRandom random) {
      this(step, session, variables, runner, random, Map.of());
    }
  }
}
