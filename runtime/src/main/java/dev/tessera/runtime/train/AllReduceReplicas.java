package dev.tessera.runtime.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.BatchUpdate;
import dev.tessera.api.train.Gradients;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.tf.ClusterSession;
import dev.tessera.runtime.tf.Collectives;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.types.TFloat32;

/**
 * The all-reduce layout of a cluster run ({@code --exchange all-reduce}): every task holds its own copy of every
 * variable and of the optimizer's state ({@link GraphScope#replicaWithOwnVariables}; task 0's are the variables
 * themselves, which checkpoints read), computes its replica's gradients on them, and the gradients are averaged by
 * one collective all-reduce per step and optimizer (TensorFlow's {@code CollectiveReduceV2}, packed into one tensor),
 * after which each task applies the same Adam update to its own copy. No task is a hub: what a task sends and receives
 * per step is about twice the parameters, whatever the number of tasks.
 *
 * <p>The copies start equal because every write (initial values, pretrained weights, {@code --resume}, a step hook's
 * assignments) goes to all of them ({@link VariableStore#placedOn}), and stay equal because each applies the same
 * update to the same values. State a model updates from sums over the batch ({@link BatchUpdate}: an EMA codebook)
 * is updated on every task from the sums all-reduced over the tasks, the whole batch's. A loss over the whole batch,
 * a step hook's rows and the fetched loss and metrics gather every replica's as in the hub layout.
 */
final class AllReduceReplicas {
  private AllReduceReplicas() {}

  static StepGraph build(GraphScope root, TrainingLayout.ReplicaBuilder replica, AdamOptimizer.Config adam, ClusterSpec cluster) {
    Graph graph = root.graph();
    int n = cluster.size();
    Replica[] built = new Replica[n];
    GraphScope[] scopes = new GraphScope[n];
    for (int task = 0; task < n; task++) {
      scopes[task] = task == 0
          ? root.replica("task0", cluster.device(0))
          : root.replicaWithOwnVariables("task" + task, cluster.device(task));
      built[task] = replica.build(scopes[task], task, n, List.of());
    }
    ClusterLayout.gatherWholeBatches(built);
    List<Replica> replicas = List.of(built);
    replicas.forEach(r -> ClusterLayout.refuseUnsplittable(r.graph()));
    Collectives.Group group = new Collectives.Group(n);
    Ops tf = root.tf();
    TrainingGraph first = built[0].graph();

    AdamOptimizer optimizer = optimizers(graph, scopes, cluster, group, adam, "optimizer", replicas.stream().map(r -> r.graph().loss()).toList(),
        replicas.stream().map(r -> r.graph().trainable()).toList());
    List<StepGraph.PhaseStep> phases = new ArrayList<>();
    for (int p = 0; p < first.phases().size(); p++) {
      int phase = p;
      List<TrainingGraph.Phase> own = replicas.stream().map(r -> r.graph().phases().get(phase)).toList();
      AdamOptimizer phaseOptimizer = optimizers(graph, scopes, cluster, group, adam, "optimizer_" + own.get(0).name(),
          own.stream().map(TrainingGraph.Phase::loss).toList(), own.stream().map(TrainingGraph.Phase::trainable).toList());
      phases.add(new StepGraph.PhaseStep(own.get(0), ClusterLayout.average(tf, own.stream().map(TrainingGraph.Phase::loss).toList()),
          ClusterLayout.averageMetrics(tf, own.stream().map(TrainingGraph.Phase::metrics).toList()), phaseOptimizer));
    }
    ClusterLayout.refuseBiasAdd(graph);
    return new StepGraph(first, ClusterLayout.average(tf, replicas.stream().map(r -> r.graph().loss()).toList()),
        ClusterLayout.averageMetrics(tf, replicas.stream().map(r -> r.graph().metrics()).toList()), optimizer, phases, replicas,
        batchUpdates(graph, scopes, replicas, group), ClusterLayout.hookRows(tf, replicas));
  }

  /**
   * One optimizer per task over its own copies ({@code variables.get(task)}), from the gradients of its own loss
   * averaged over the tasks by one all-reduce, run together under one learning rate.
   */
  private static AdamOptimizer optimizers(Graph graph, GraphScope[] scopes, ClusterSpec cluster, Collectives.Group group, AdamOptimizer.Config adam,
      String name, List<Operand<TFloat32>> losses, List<List<VariableStore.Entry>> variables) {
    int instance = group.instance(); // one collective: the same key on every task
    List<AdamOptimizer> each = new ArrayList<>();
    PlaceholderWithDefault<TFloat32> learningRate = null;
    for (int task = 0; task < scopes.length; task++) {
      List<VariableStore.Entry> own = variables.get(task);
      Operand<TFloat32> loss = losses.get(task);
      Ops on = scopes[task].tf();
      // Graph.addGradients ignores the scope's device: place the gradient ops on the replica's worker.
      List<Output<TFloat32>> grads = ClusterSession.placeNewOps(graph, cluster.device(task), () -> Gradients.of(graph, loss, own));
      List<long[]> shapes = own.stream().map(VariableStore.Entry::shape).toList();
      List<Output<TFloat32>> mean = Collectives.meanPacked(graph, on, grads, shapes, group, instance);
      AdamOptimizer o = new AdamOptimizer(scopes[task], name, mean, own, adam, learningRate);
      learningRate = o.learningRate();
      each.add(o);
    }
    return AdamOptimizer.together(scopes[0].tf(), each);
  }

  /**
   * Each of the model's batch updates on every task, from its replica's sums all-reduced over the tasks (the whole
   * batch's), after its own replica's readers.
   */
  private static List<Op> batchUpdates(Graph graph, GraphScope[] scopes, List<Replica> replicas, Collectives.Group group) {
    List<Op> ops = new ArrayList<>();
    List<BatchUpdate> first = replicas.get(0).graph().batchUpdates();
    for (int u = 0; u < first.size(); u++) {
      Map<String, Integer> instances = new LinkedHashMap<>();
      first.get(u).sums().keySet().forEach(name -> instances.put(name, group.instance()));
      for (int task = 0; task < replicas.size(); task++) {
        ops.addAll(allReducedUpdates(graph, scopes[task].tf(), replicas.get(task).graph().batchUpdates().get(u), group, instances));
      }
    }
    return ops;
  }

  /**
   * One task's part of batch update {@code own}: its sums all-reduced over {@code group} (the whole batch's; the
   * instance key of each sum by name, the same on every task), then the update, after the task's own readers.
   */
  static List<Op> allReducedUpdates(Graph graph, Ops on, BatchUpdate own, Collectives.Group group, Map<String, Integer> instances) {
    Map<String, Operand<TFloat32>> totals = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : instances.entrySet()) {
      totals.put(e.getKey(), Collectives.allReduce(graph, on, own.sums().get(e.getKey()), group, e.getValue(), false));
    }
    return own.builder().updates(own.readers().isEmpty() ? on : on.withControlDependencies(own.readers()), totals);
  }
}
