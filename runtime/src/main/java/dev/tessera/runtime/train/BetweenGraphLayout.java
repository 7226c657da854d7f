package dev.tessera.runtime.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.BatchUpdate;
import dev.tessera.api.train.Gradients;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.train.WholeBatchLoss;
import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.cluster.LostWorker;
import dev.tessera.runtime.cluster.WorkerReachability;
import dev.tessera.runtime.cluster.WorkerServer;
import dev.tessera.runtime.tf.ClusterSession;
import dev.tessera.runtime.tf.Collectives;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Server;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Between-graph replication ({@code train --cluster FILE --task N}): every task of the cluster runs the same training
 * command, is its own TensorFlow server and its own client, builds one replica of the model (its own variables and
 * optimizer state, on its own task), draws the global batch of each step as one process does and feeds its shard, and
 * meets the other tasks only in collective all-reduces: one per step and optimizer for the gradients and the loss and
 * metrics it logs (averaged; each task applies the same Adam update to its own copy), one per sum of a
 * {@link BatchUpdate} (the whole batch's), one per row set of a {@link WholeBatchLoss} or step hook (every task's rows
 * in task order: {@link Collectives#gatherRows}). So no client draws or sends every batch, and no task is a hub.
 *
 * <p>The copies start equal because every task computes the same initial values from the seed (or reads the same
 * pretrained weights or checkpoint) and stay equal because each applies the same update to the same values. Task 0
 * writes the checkpoints and the log; the others write nothing, and on {@code --resume} read the checkpoint at the
 * same path (a folder every task sees).
 */
final class BetweenGraphLayout implements TrainingLayout {
  private final ClusterSpec cluster;
  private final int task;
  private final Duration timeout;
  private final long seed;
  private Collectives.Group group;

  BetweenGraphLayout(ClusterSpec cluster, int task, Duration timeout, long seed) {
    cluster.checkTask(task);
    this.cluster = cluster;
    this.task = task;
    this.timeout = timeout;
    this.seed = seed;
  }

  /**
   * This process's servers, by cluster and task: TensorFlow 2.18 cannot stop one ("Clean shutdown is not currently
   * implemented"), so a Java program that trains again on the same cluster and task reuses it.
   */
  private static final Map<String, Server> SERVERS = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public void checkReady() {
    SERVERS.computeIfAbsent(String.join(",", cluster.addresses()) + " task " + task, k -> WorkerServer.start(cluster, task));
    WorkerReachability.check(cluster, timeout, "the same ./tessera train command with --cluster " + cluster.source() + " --task %d");
  }

  @Override
  public boolean writes() {
    return task == 0;
  }

  @Override
  public GraphScope root(Graph graph) {
    return GraphScope.root(graph, cluster.device(task));
  }

  @Override
  public StepGraph build(GraphScope root, ReplicaBuilder replica, AdamOptimizer.Config adam) {
    Graph graph = root.graph();
    int n = cluster.size();
    GraphScope scope = root.replica("task" + task, cluster.device(task));
    Replica r = replica.build(scope, task, n, List.of());
    // Every task computes the same keys, and asks for instance keys in the same order. A server outlives its run in a
    // Java program that trains again (TensorFlow cannot stop one) and remembers each key's first shapes: the keys
    // depend on the graph too, so that another model's collectives never reuse them.
    group = new Collectives.Group(n, signature(graph, cluster, seed));
    r = gatherWholeBatch(graph, scope, r);
    TrainingGraph tg = r.graph();
    ClusterLayout.refuseUnsplittable(tg);
    Ops tf = scope.tf();
    Optimized main = optimizer(graph, scope, adam, "optimizer", tg.loss(), tg.metrics(), tg.trainable());
    List<StepGraph.PhaseStep> phases = new ArrayList<>();
    for (TrainingGraph.Phase phase : tg.phases()) {
      Optimized own = optimizer(graph, scope, adam, "optimizer_" + phase.name(), phase.loss(), phase.metrics(), phase.trainable());
      phases.add(new StepGraph.PhaseStep(phase, own.loss, own.metrics, own.optimizer));
    }
    List<Op> batchUpdates = new ArrayList<>();
    for (BatchUpdate own : tg.batchUpdates()) {
      Map<String, Integer> instances = new LinkedHashMap<>();
      own.sums().keySet().forEach(name -> instances.put(name, group.instance()));
      batchUpdates.addAll(AllReduceReplicas.allReducedUpdates(graph, tf, own, group, instances));
    }
    Map<String, Operand<TFloat32>> hookRows = new LinkedHashMap<>();
    if (tg.hook() != null) {
      tg.hook().rows().forEach((name, rows) -> hookRows.put(name, Collectives.gatherRows(graph, tf, rows, group, group.instance(), task)));
    }
    ClusterLayout.refuseBiasAdd(graph);
    return new StepGraph(tg, main.loss, main.metrics, main.optimizer, phases, List.of(r), batchUpdates, hookRows);
  }

  /** What every task's graph has alike, as a number: the seed, the cluster, and the graph's ops (their count and types). */
  private static long signature(Graph graph, ClusterSpec cluster, long seed) {
    long h = seed * 31 + String.join(",", cluster.addresses()).hashCode();
    java.util.Iterator<org.tensorflow.GraphOperation> ops = graph.operations();
    while (ops.hasNext()) {
      org.tensorflow.GraphOperation op = ops.next();
      h = h * 1_000_003 + op.type().hashCode() * 31L + op.numOutputs();
    }
    return h;
  }

  /** A step's optimizer, and the loss and metrics it logs: their means over the tasks, the values one process logs. */
  private record Optimized(AdamOptimizer optimizer, Operand<TFloat32> loss, Map<String, Operand<TFloat32>> metrics) {}

  /**
   * This task's optimizer over its own variables, from its gradients averaged over the tasks, and the loss and metrics
   * averaged with them: one all-reduce of one packed tensor per step (a second collective per step for the logged
   * scalars costs the VQ-VAE's short step measurably, docs/distributed.md).
   */
  private Optimized optimizer(Graph graph, GraphScope scope, AdamOptimizer.Config adam, String name, Operand<TFloat32> loss,
      Map<String, Operand<TFloat32>> metrics, List<VariableStore.Entry> variables) {
    int instance = group.instance();
    List<Operand<TFloat32>> packed = new ArrayList<>(
        ClusterSession.placeNewOps(graph, cluster.device(task), () -> Gradients.of(graph, loss, variables)));
    List<long[]> shapes = new ArrayList<>(variables.stream().map(VariableStore.Entry::shape).toList());
    packed.add(loss);
    packed.addAll(metrics.values());
    while (shapes.size() < packed.size()) {
      shapes.add(new long[0]); // the scalars logged
    }
    List<Output<TFloat32>> mean = Collectives.meanPacked(graph, scope.tf(), packed, shapes, group, instance);
    int v = variables.size();
    Map<String, Operand<TFloat32>> logged = new LinkedHashMap<>();
    int i = v + 1;
    for (String metric : metrics.keySet()) {
      logged.put(metric, mean.get(i++));
    }
    return new Optimized(new AdamOptimizer(scope, name, mean.subList(0, v), variables, adam, null), mean.get(v), logged);
  }

  /**
   * For a loss built from the whole batch's rows, the replica's graph built again from every task's rows (gathered in
   * task order, as constants) with its own rows in its slot, their gradient times the number of tasks: the same values
   * one process has, and a gradient whose mean over the tasks is one process's (as {@link ClusterLayout#gatherWholeBatches}).
   */
  private Replica gatherWholeBatch(Graph graph, GraphScope scope, Replica r) {
    WholeBatchLoss own = r.graph().wholeBatch();
    if (own == null) {
      return r;
    }
    int n = cluster.size();
    Ops tf = own.scope().tf();
    Map<String, Operand<TFloat32>> whole = new LinkedHashMap<>();
    for (Map.Entry<String, Operand<TFloat32>> e : own.rows().entrySet()) {
      Operand<TFloat32> rows = e.getValue();
      Operand<TFloat32> all = tf.stopGradient(Collectives.gatherRows(graph, tf, rows, group, group.instance(), task));
      // zero in value, the rows' gradient times n in their slot
      Operand<TFloat32> mine = tf.math.mul(tf.math.sub(rows, tf.stopGradient(rows)), tf.constant((float) n));
      whole.put(e.getKey(), tf.math.add(all, Collectives.slot(tf, mine, task, n)));
    }
    Operand<TInt32> offset = tf.math.mul(ClusterLayout.examples(tf, own.rows().values().iterator().next()), tf.constant(task));
    return ClusterLayout.rebuilt(r, whole, offset);
  }

  @Override
  public Session open(Graph graph) {
    return ClusterSession.open(graph, cluster.target(task), Collectives.withLeader(ClusterLayout.sessionConfig(timeout)));
  }

  @Override
  public boolean abandon(Graph graph, Session session) {
    return ClusterLayout.keepUnclosed(graph, session);
  }

  @Override
  public StepFeeds feed(StepGraph graph, StepBatch batch, long seed, long step) {
    StepFeeds feeds = new StepFeeds();
    graph.replicas().get(0).feed(feeds, batch.shard(task, cluster.size()), TrainingInputs.stepSeed(seed, step));
    return feeds;
  }

  @Override
  public RuntimeException failure(RuntimeException error, long step, String kept) {
    return LostWorker.describe(error, cluster, step, timeout, kept, task);
  }
}
