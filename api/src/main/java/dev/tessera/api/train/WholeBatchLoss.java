package dev.tessera.api.train;

import dev.tessera.api.graph.GraphScope;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A loss that couples a batch's examples, built from rows of the whole batch: CLIP's contrastive
 * loss compares every image with every caption, clip-gan's matching-aware term pairs each image with
 * the next example's text, latent diffusion's first step scales by the batch's deviation. The model
 * gives its per-example rows (tensors whose first axis runs over its examples) and a builder of its
 * training graph from the whole batch's rows ({@link WholeBatch}).
 *
 * <p>In one process the whole batch is the model's own rows ({@link #alone()}: what
 * {@code buildTraining} returns). On a cluster each replica builds the graph again from every
 * replica's rows, concatenated in shard order on its own task: the same values one process has. A
 * replica's gradient reaches only its own rows (the others' are constants to it), scaled by the
 * number of replicas, so that the trainer's mean of the replicas' gradients is one process's
 * gradient. That is exact when the builder's loss is the whole batch's, the same on every replica
 * (a contrastive loss). A loss over the replica's own examples ({@link WholeBatch#own}) may read
 * the whole batch's rows only as constants (rows with no trainable variable behind them: a frozen
 * encoder's embeddings, statistics under stopGradient).
 *
 * @param scope where the rows were built: the replica's scope, where the cluster's builds happen
 * @param rows this model's per-example rows by name
 * @param builder the training graph from the whole batch's rows; on a cluster it runs a second time
 *     in the replica's scope, where the variables it asks for already exist (variables are got or
 *     created by name), so that build adds ops only; the first build's ops stay in the graph, unrun
 */
public record WholeBatchLoss(GraphScope scope, Map<String, Operand<TFloat32>> rows, Builder builder) {
  public WholeBatchLoss {
    rows = Map.copyOf(rows);
  }

  /** Builds the training graph from the whole batch. */
  @FunctionalInterface
  public interface Builder {
    TrainingGraph build(WholeBatch batch);
  }

  /** The whole batch, as one replica's loss sees it. */
  public interface WholeBatch {
    /** The named rows of every example of the batch, in the order one process has them. */
    Operand<TFloat32> rows(String name);

    /** This replica's examples' part of a tensor whose first axis runs over the whole batch (one process: all of it). */
    Operand<TFloat32> own(Operand<TFloat32> whole);

    /** The whole batch of {@code rows} (by name), whose part {@code own} takes. */
    static WholeBatch of(Map<String, Operand<TFloat32>> rows, java.util.function.UnaryOperator<Operand<TFloat32>> own) {
      return new WholeBatch() {
        @Override
        public Operand<TFloat32> rows(String name) {
          Operand<TFloat32> r = rows.get(name);
          if (r == null) {
            throw new IllegalArgumentException("no rows named '" + name + "' (the model gave " + rows.keySet() + ")");
          }
          return r;
        }

        @Override
        public Operand<TFloat32> own(Operand<TFloat32> whole) {
          return own.apply(whole);
        }
      };
    }
  }

  /** The training graph of one process, from the model's own rows, carrying this loss for a cluster to rebuild. */
  public TrainingGraph alone() {
    return builder.build(WholeBatch.of(rows, all -> all)).withWholeBatch(this);
  }
}
