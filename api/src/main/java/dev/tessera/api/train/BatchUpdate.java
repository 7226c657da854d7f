package dev.tessera.api.train;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * State a model updates each step from statistics of the whole batch, an EMA codebook for one: the model gives the
 * statistics as sums over the batch's examples and a builder of the update ops from them. The trainer builds the
 * update once per step: in one process from the model's own sums; on a cluster from the sums of every replica's,
 * which are the whole batch's, so a cluster run updates the state as one process does.
 *
 * @param sums statistics of the batch (name -> a sum over its examples, any shape)
 * @param readers ops that read the state the update writes: the update runs after them (on a cluster, after every
 *     replica's)
 * @param builder builds the update ops from the whole batch's sums
 */
public record BatchUpdate(Map<String, Operand<TFloat32>> sums, List<Op> readers, Builder builder) {
  public BatchUpdate {
    sums = Map.copyOf(sums);
    readers = List.copyOf(readers);
  }

  /** Builds the update ops. */
  @FunctionalInterface
  public interface Builder {
    /**
     * @param tf where to build: on the variables' device, with control dependencies on every replica's readers
     * @param sums the whole batch's statistics, by the names of {@link BatchUpdate#sums}
     */
    List<Op> updates(Ops tf, Map<String, Operand<TFloat32>> sums);
  }

  /** The update ops of one process: from its own sums, after its own readers. */
  public List<Op> buildAlone(Ops root) {
    return builder.updates(readers.isEmpty() ? root : root.withControlDependencies(readers), sums);
  }

  /** The update ops of one process for each of {@code updates} ({@link #buildAlone(Ops)}), in order. */
  public static List<Op> buildAlone(List<BatchUpdate> updates, Ops root) {
    List<Op> ops = new java.util.ArrayList<>();
    updates.forEach(u -> ops.addAll(u.buildAlone(root)));
    return ops;
  }
}
