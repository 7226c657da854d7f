package dev.tessera.api.train;

import dev.tessera.api.graph.VariableStore;
import java.util.SplittableRandom;
import org.tensorflow.Session;

/** Work a model does in Java between training steps. */
@FunctionalInterface
public interface StepHook {
  void afterStep(Context context);

  /**
   * @param step the step just finished (1-based)
   * @param runner a fresh runner with this step's batch fed, to fetch activations
   * @param random seeded per step, so hooks are deterministic and resume exactly
   */
  record Context(long step, Session session, VariableStore variables, java.util.function.Supplier<Session.Runner> runner, SplittableRandom random) {}
}
