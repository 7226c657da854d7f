package dev.tessera.runtime.train;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.Gradients;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.train.WholeBatchLoss;
import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.cluster.LostWorker;
import dev.tessera.runtime.cluster.WorkerReachability;
import dev.tessera.runtime.tf.ClusterSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Data-parallel training on TensorFlow's distributed runtime, with the trainer as the client
 * (in-graph replication). Every variable, the optimizer and its state live on task 0; task
 * {@code i} holds replica {@code i} of the model and computes the loss and gradients of shard
 * {@code i} of every global batch (examples {@code [i B/n, (i+1) B/n)}); task 0 averages the
 * gradients and applies them once per step. Since every loss Tessera trains is a mean over the
 * batch, the averaged gradient is the gradient of the whole batch, so a cluster run follows the
 * single-process run of the same global batches (up to float rounding).
 *
 * <p>What couples the batch's examples is handed over whole: state updated from sums over the batch
 * ({@code BatchUpdate}: an EMA codebook) is updated once from every replica's sums, a step hook reads
 * every replica's rows, and a loss built from the whole batch's rows ({@code WholeBatchLoss}: CLIP's
 * contrastive loss) is built on each replica from every replica's rows. Other per-step updates and
 * hooks that do not declare their rows are refused.
 */
final class ClusterLayout implements TrainingLayout {
  /** How the replicas' gradients meet: on task 0, which holds the variables (the hub), or by all-reduce between copies. */
  enum Exchange {
    HUB("hub"),
    ALL_REDUCE("all-reduce");

    private final String option;

    Exchange(String option) {
      this.option = option;
    }

    /** The value of {@code --exchange}. */
    String option() {
      return option;
    }

    static Exchange parse(String value) {
      for (Exchange e : values()) {
        if (e.option.equals(value)) {
          return e;
        }
      }
      throw new TesseraException("--exchange " + value + ": use hub (every variable on task 0) or all-reduce (a copy on every task)");
    }
  }

  private final ClusterSpec cluster;
  private final Duration timeout;
  private final Exchange exchange;

  ClusterLayout(ClusterSpec cluster, Duration timeout) {
    this(cluster, timeout, Exchange.HUB);
  }

  ClusterLayout(ClusterSpec cluster, Duration timeout, Exchange exchange) {
    this.cluster = cluster;
    this.timeout = timeout;
    this.exchange = exchange;
  }

  @Override
  public void checkReady() {
    WorkerReachability.check(cluster, timeout);
  }

  @Override
  public GraphScope root(Graph graph) {
    return GraphScope.root(graph, cluster.device(0));
  }

  @Override
  public StepGraph build(GraphScope root, ReplicaBuilder replica, AdamOptimizer.Config adam) {
    if (exchange == Exchange.ALL_REDUCE) {
      return AllReduceReplicas.build(root, replica, adam, cluster);
    }
    Graph graph = root.graph();
    List<Replica> replicas = new ArrayList<>();
    List<List<Output<TFloat32>>> gradients = new ArrayList<>();
    List<List<List<Output<TFloat32>>>> phaseGradients = new ArrayList<>();
    int n = cluster.size();
    Replica[] built = new Replica[n];
    // Task 0 holds the variables. The other replicas read each variable through one copy on their own task
    // (GraphScope.read), and task 0's replica starts on its shard only once those copies have arrived: otherwise
    // task 0 ran its own replica first and sent the others the variables in between, so on busy cores the replicas
    // ran one after the other (docs/distributed.md, "Where a step's time goes").
    List<org.tensorflow.op.Op> copies = new ArrayList<>();
    for (int task = n - 1; task >= 1; task--) {
      GraphScope scope = root.replica("task" + task, cluster.device(task), true);
      built[task] = replica.build(scope, task, n, List.of());
      copies.addAll(scope.cachedReads());
    }
    built[0] = replica.build(root.replica("task0", cluster.device(0)), 0, n, copies);
    gatherWholeBatches(built);
    for (int task = 0; task < n; task++) {
      Replica r = built[task];
      TrainingGraph tg = r.graph();
      refuseUnsplittable(tg);
      replicas.add(r);
      // Graph.addGradients ignores the scope's device: place the gradient ops on the replica's worker.
      gradients.add(ClusterSession.placeNewOps(graph, cluster.device(task), () -> Gradients.of(graph, tg.loss(), tg.trainable())));
      List<List<Output<TFloat32>>> perPhase = new ArrayList<>();
      for (TrainingGraph.Phase phase : tg.phases()) {
        perPhase.add(ClusterSession.placeNewOps(graph, cluster.device(task), () -> Gradients.of(graph, phase.loss(), phase.trainable())));
      }
      phaseGradients.add(perPhase);
    }
    refuseBiasAdd(graph);
    Ops tf = root.tf();
    TrainingGraph first = replicas.get(0).graph();
    AdamOptimizer optimizer = new AdamOptimizer(root, "optimizer", averageEach(tf, gradients), first.trainable(), adam);
    List<StepGraph.PhaseStep> phases = new ArrayList<>();
    for (int p = 0; p < first.phases().size(); p++) {
      TrainingGraph.Phase phase = first.phases().get(p);
      List<List<Output<TFloat32>>> grads = new ArrayList<>();
      List<Operand<TFloat32>> losses = new ArrayList<>();
      List<Map<String, Operand<TFloat32>>> metrics = new ArrayList<>();
      for (int task = 0; task < replicas.size(); task++) {
        TrainingGraph.Phase own = replicas.get(task).graph().phases().get(p);
        grads.add(phaseGradients.get(task).get(p));
        losses.add(own.loss());
        metrics.add(own.metrics());
      }
      phases.add(new StepGraph.PhaseStep(phase, average(tf, losses), averageMetrics(tf, metrics),
          new AdamOptimizer(root, "optimizer_" + phase.name(), averageEach(tf, grads), phase.trainable(), adam)));
    }
    List<Operand<TFloat32>> losses = new ArrayList<>();
    List<Map<String, Operand<TFloat32>>> metrics = new ArrayList<>();
    replicas.forEach(r -> {
      losses.add(r.graph().loss());
      metrics.add(r.graph().metrics());
    });
    return new StepGraph(first, average(tf, losses), averageMetrics(tf, metrics), optimizer, phases, replicas, batchUpdates(tf, replicas),
        hookRows(tf, replicas));
  }

  /**
   * For a loss built from the whole batch's rows ({@link WholeBatchLoss}: CLIP's contrastive loss), each replica's
   * graph built again on its own task from every replica's rows concatenated in shard order: the rows one process has.
   * A replica's gradient reaches its own rows only, times the number of replicas, so the mean of the replicas'
   * gradients is the whole batch's.
   */
  static void gatherWholeBatches(Replica[] built) {
    if (built[0].graph().wholeBatch() == null) {
      return;
    }
    int n = built.length;
    WholeBatchLoss[] losses = new WholeBatchLoss[n];
    for (int task = 0; task < n; task++) {
      losses[task] = built[task].graph().wholeBatch();
    }
    for (int task = 0; task < n; task++) {
      WholeBatchLoss own = losses[task];
      Ops tf = own.scope().tf();
      Map<String, Operand<TFloat32>> whole = new LinkedHashMap<>();
      for (String name : own.rows().keySet()) {
        List<Operand<TFloat32>> parts = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          Operand<TFloat32> rows = losses[j].rows().get(name);
          parts.add(j == task ? scaledGradient(tf, rows, n) : tf.stopGradient(rows));
        }
        whole.put(name, tf.concat(parts, tf.constant(0)));
      }
      // this replica's rows of the whole batch: after the earlier replicas' examples
      String first = own.rows().keySet().iterator().next();
      Operand<TInt32> offset = tf.constant(0);
      for (int j = 0; j < task; j++) {
        offset = tf.math.add(offset, examples(tf, losses[j].rows().get(first)));
      }
      built[task] = rebuilt(built[task], whole, offset);
    }
  }

  /**
   * {@code replica} with its training graph built again from the whole batch's rows {@code whole}, its own examples
   * being those from row {@code offset} on.
   */
  static Replica rebuilt(Replica replica, Map<String, Operand<TFloat32>> whole, Operand<TInt32> offset) {
    WholeBatchLoss own = replica.graph().wholeBatch();
    Ops tf = own.scope().tf();
    Operand<TInt32> end = tf.math.add(offset, examples(tf, own.rows().values().iterator().next()));
    TrainingGraph graph = own.builder().build(WholeBatchLoss.WholeBatch.of(whole,
        all -> tf.gather(all, tf.range(offset, end, tf.constant(1)), tf.constant(0))));
    return replica.with(graph.withWholeBatch(own));
  }

  /** The rows' value, with their gradient times {@code n}: {@code stop(x) + n (x - stop(x))}, exactly x. */
  private static Operand<TFloat32> scaledGradient(Ops tf, Operand<TFloat32> rows, int n) {
    Operand<TFloat32> still = tf.stopGradient(rows);
    return tf.math.add(still, tf.math.mul(tf.math.sub(rows, still), tf.constant((float) n)));
  }

  /** The number of rows (the first dimension) of {@code rows}, a scalar. */
  static Operand<TInt32> examples(Ops tf, Operand<TFloat32> rows) {
    return tf.reshape(tf.slice(tf.shape(rows), tf.constant(new int[] {0}), tf.constant(new int[] {1})), tf.constant(new int[0]));
  }

  /** The rows the step hook reads, every replica's concatenated in shard order on task 0: the whole batch's. */
  static Map<String, Operand<TFloat32>> hookRows(Ops tf, List<Replica> replicas) {
    Map<String, Operand<TFloat32>> rows = new LinkedHashMap<>();
    if (replicas.get(0).graph().hook() == null) {
      return rows;
    }
    for (String name : replicas.get(0).graph().hook().rows().keySet()) {
      List<Operand<TFloat32>> parts = new ArrayList<>();
      for (Replica r : replicas) {
        parts.add(r.graph().hook().rows().get(name));
      }
      rows.put(name, tf.concat(parts, tf.constant(0)));
    }
    return rows;
  }

  /**
   * Each of the model's batch updates, built once on task 0 from the sums of every replica's statistics (the whole
   * batch's), after every replica's readers.
   */
  private static List<org.tensorflow.op.Op> batchUpdates(Ops tf, List<Replica> replicas) {
    List<org.tensorflow.op.Op> ops = new ArrayList<>();
    List<dev.tessera.api.train.BatchUpdate> first = replicas.get(0).graph().batchUpdates();
    for (int u = 0; u < first.size(); u++) {
      Map<String, Operand<TFloat32>> totals = new LinkedHashMap<>();
      List<org.tensorflow.op.Op> readers = new ArrayList<>();
      for (String name : first.get(u).sums().keySet()) {
        List<Operand<TFloat32>> values = new ArrayList<>();
        for (Replica r : replicas) {
          values.add(r.graph().batchUpdates().get(u).sums().get(name));
        }
        totals.put(name, values.size() == 1 ? values.get(0) : tf.math.addN(values));
      }
      for (Replica r : replicas) {
        readers.addAll(r.graph().batchUpdates().get(u).readers());
      }
      ops.addAll(first.get(u).builder().updates(readers.isEmpty() ? tf : tf.withControlDependencies(readers), totals));
    }
    return ops;
  }

  /**
   * With oneDNN's rewrites on (the workers' default), TensorFlow 2.18's distributed steps whose graph
   * holds a {@code BiasAdd} never finish (docs/distributed.md): a model built on the api's layers
   * adds its biases with {@code Add} in a replica ({@code GraphScope.addBias}); one that calls
   * {@code tf.nn.biasAdd} itself is refused here rather than left to time out.
   */
  static void refuseBiasAdd(Graph graph) {
    java.util.Iterator<org.tensorflow.GraphOperation> ops = graph.operations();
    while (ops.hasNext()) {
      org.tensorflow.GraphOperation op = ops.next();
      if (op.type().equals("BiasAdd")) {
        throw new TesseraException("the model's graph adds a bias with BiasAdd ('" + op.name() + "'), which hangs TensorFlow 2.18's distributed"
            + " steps with oneDNN on: build it with GraphScope.addBias (as the api's layers do) to train on a cluster");
      }
    }
  }

  static void refuseUnsplittable(TrainingGraph tg) {
    boolean hookUnsplittable = tg.hook() != null && tg.hook().rows() == null;
    if (!tg.updates().isEmpty() || hookUnsplittable) {
      throw new TesseraException("this model updates state from each whole batch besides its gradients and its sums ("
          + (hookUnsplittable ? "a step hook that does not declare the batch rows it reads" : tg.updates().size() + " update op(s)")
          + "), which cannot be split over workers yet; train it in one process");
    }
  }

  @Override
  public Session open(Graph graph) {
    ConfigProto config = sessionConfig(timeout);
    if (exchange == Exchange.ALL_REDUCE) {
      config = dev.tessera.runtime.tf.Collectives.withLeader(config);
    }
    return ClusterSession.open(graph, cluster.target(0), config);
  }

  /** The session config of a cluster run, in-graph or between graphs. */
  static ConfigProto sessionConfig(Duration timeout) {
    return ConfigProto.newBuilder()
        .setAllowSoftPlacement(true)
        // A step that gets no answer from a worker fails after this instead of waiting forever.
        .setOperationTimeoutInMs(timeout.toMillis())
        // Variables on a server outlive sessions and are shared by name: keep each run's own.
        .setIsolateSessionState(true)
        .setGraphOptions(GraphOptions.newBuilder()
            .setRewriteOptions(RewriterConfig.newBuilder().setRemapping(RewriterConfig.Toggle.OFF)))
        .build();
  }

  /**
   * Sessions (and their graphs, whose close waits for their sessions) whose step failed on the cluster, kept
   * unclosed for the rest of the process: closing a remote session waits for every task it ran on, a lost one
   * included, until the operation timeout (--worker-timeout), while the step itself fails within a second of the
   * loss (docs/distributed.md, "Failures"). Held here so that garbage collection does not close them either.
   */
  private static final List<Object> ABANDONED = java.util.Collections.synchronizedList(new ArrayList<>());

  @Override
  public boolean abandon(Graph graph, Session session) {
    return keepUnclosed(graph, session);
  }

  /** Keeps {@code graph} and {@code session} unclosed for the rest of the process ({@link #ABANDONED}); true. */
  static boolean keepUnclosed(Graph graph, Session session) {
    ABANDONED.add(graph);
    ABANDONED.add(session);
    return true;
  }

  @Override
  public StepFeeds feed(StepGraph graph, StepBatch batch, long seed, long step) {
    StepFeeds feeds = new StepFeeds();
    int n = graph.replicas().size();
    // Every replica gets the step seed one process gets and draws that process's noise for its rows (StepRandom).
    long[] stepSeed = TrainingInputs.stepSeed(seed, step);
    for (int task = 0; task < n; task++) {
      graph.replicas().get(task).feed(feeds, batch.shard(task, n), stepSeed);
    }
    return feeds;
  }

  @Override
  public RuntimeException failure(RuntimeException error, long step, String kept) {
    return LostWorker.describe(error, cluster, step, timeout, kept);
  }

  /** The element-wise mean over replicas of each variable's gradient, on task 0. */
  private static List<Output<TFloat32>> averageEach(Ops tf, List<List<Output<TFloat32>>> perReplica) {
    List<Output<TFloat32>> out = new ArrayList<>();
    for (int v = 0; v < perReplica.get(0).size(); v++) {
      List<Operand<TFloat32>> values = new ArrayList<>();
      for (List<Output<TFloat32>> grads : perReplica) {
        values.add(grads.get(v));
      }
      out.add(average(tf, values).asOutput());
    }
    return out;
  }

  static Operand<TFloat32> average(Ops tf, List<Operand<TFloat32>> values) {
    if (values.size() == 1) {
      return values.get(0);
    }
    return tf.math.div(tf.math.addN(values), tf.constant((float) values.size()));
  }

  /** Each metric's mean over the replicas' shards (exact for means, an approximation for other statistics). */
  static Map<String, Operand<TFloat32>> averageMetrics(Ops tf, List<Map<String, Operand<TFloat32>>> perReplica) {
    Map<String, Operand<TFloat32>> out = new LinkedHashMap<>();
    for (String name : perReplica.get(0).keySet()) {
      List<Operand<TFloat32>> values = new ArrayList<>();
      perReplica.forEach(m -> values.add(m.get(name)));
      out.put(name, average(tf, values));
    }
    return out;
  }

}
