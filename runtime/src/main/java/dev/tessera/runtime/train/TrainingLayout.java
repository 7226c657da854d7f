package dev.tessera.runtime.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.train.AdamOptimizer;
import org.tensorflow.Graph;
import java.util.List;
import org.tensorflow.Session;
import org.tensorflow.op.Op;

/**
 * Where the training graph runs: in this process ({@link SingleProcessLayout}) or as data-parallel
 * replicas on a cluster of TensorFlow servers ({@link ClusterLayout}). The trainer's loop is the
 * same for both; only building, feeding and opening the session differ.
 */
interface TrainingLayout {

  /** Checks, before anything is built, what the layout needs (a cluster's workers must be reachable). */
  void checkReady();

  /** The scope the model's variables (and the optimizer's) are created in. */
  GraphScope root(Graph graph);

  /**
   * Builds one replica of the model's graph in {@code scope}, for part {@code shard} of {@code shards} of each batch;
   * its computation on the batch starts only after the ops {@code after} have run (none: at once).
   */
  @FunctionalInterface
  interface ReplicaBuilder {
    Replica build(GraphScope scope, int shard, int shards, List<Op> after);
  }

  /**
   * Builds the replicas with {@code replica} (which builds the model's graph in the scope it is
   * given), then the optimizers that apply their gradients.
   */
  StepGraph build(GraphScope root, ReplicaBuilder replica, AdamOptimizer.Config adam);

  Session open(Graph graph);

  /**
   * Whether this process writes the run's files (checkpoints, weights, the log): yes, but for the tasks other than 0
   * of between-graph replication, which train the same copies as task 0.
   */
  default boolean writes() {
    return true;
  }

  /**
   * After a failed step: whether the session and its graph are to be left unclosed (and kept from being closed),
   * because closing them would wait for what failed. One process: no.
   */
  default boolean abandon(Graph graph, Session session) {
    return false;
  }

  /** The feeds of step {@code step}: the global batch, split over the replicas. */
  StepFeeds feed(StepGraph graph, StepBatch batch, long seed, long step);

  /**
   * The error to report when a session run of step {@code step} failed with a TensorFlow error.
   *
   * @param kept what happened to the checkpoint, in words
   */
  RuntimeException failure(RuntimeException error, long step, String kept);
}
