package dev.tessera.runtime.tf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * TensorFlow's collective all-reduce ({@code CollectiveReduceV2}) between the tasks of one in-graph cluster, from
 * TensorFlow Java 1.1.0: built by op name, since the generated {@code CollectiveReduce} class is the V3 op, which needs
 * a communicator resource. The servers and the session must name a collective group leader ({@link #withLeader}).
 *
 * <p>One {@link Group} per graph: in-graph, its key and its instance keys are drawn at random, because a server remembers an
 * instance key with the first shape it reduced for the rest of its life, and workers outlive training runs; between
 * graphs ({@code --task}), every task computes them from the seed ({@link Group#Group(int, long)}), its server being
 * its own run's.
 */
public final class Collectives {
  private Collectives() {}

  /** The task that resolves collective groups: task 0 of the job. */
  public static final String LEADER = "/job:worker/replica:0/task:0";

  /** {@code config} with {@link #LEADER} as its collective group leader (servers and sessions need it). */
  public static ConfigProto withLeader(ConfigProto config) {
    return config.toBuilder()
        .setExperimental(config.getExperimental().toBuilder().setCollectiveGroupLeader(LEADER))
        .build();
  }

  /** The tasks a collective runs over, and the instance keys handed out so far. */
  public static final class Group {
    private final int size;
    private final int key;
    private int nextInstance;

    public Group(int size) {
      this(size, ThreadLocalRandom.current());
    }

    /**
     * A group whose keys every task computes alike from {@code seed} (between-graph replication: each task builds its
     * own graph, and their collectives must meet). Each task's server is started by its own training run, so no
     * server has seen these keys before.
     */
    public Group(int size, long seed) {
      this(size, new java.util.SplittableRandom(seed ^ 0x5EED_C011EC71L));
    }

    private Group(int size, java.util.random.RandomGenerator random) {
      if (size < 1) {
        throw new IllegalArgumentException("a group of " + size + " tasks");
      }
      this.size = size;
      this.key = random.nextInt(1, 1 << 30);
      this.nextInstance = random.nextInt(1, 1 << 30);
    }

    public int size() {
      return size;
    }

    /**
     * A new instance key: one collective, the same on every task of the group (each task builds its part with this
     * key).
     */
    public synchronized int instance() {
      return nextInstance++;
    }
  }

  /**
   * This task's part of all-reduce {@code instance} over {@code group}: the element-wise sum of {@code x} over the
   * tasks, divided by the group's size where {@code mean}. Placed where {@code on} places ops.
   */
  public static Output<TFloat32> allReduce(Graph graph, Ops on, Operand<TFloat32> x, Group group, int instance, boolean mean) {
    GraphOperation op = graph.opBuilder("CollectiveReduceV2", on.scope().makeOpName("all_reduce"), on.scope())
        .addInput(x.asOutput())
        .addInput(on.constant(group.size()).asOutput())
        .addInput(on.constant(group.key).asOutput())
        .addInput(on.constant(instance).asOutput())
        .addInputList(new Output<?>[0])
        .setAttr("T", DataType.DT_FLOAT)
        .setAttr("merge_op", "Add")
        .setAttr("final_op", mean ? "Div" : "Id")
        .build();
    return op.output(0);
  }

  /**
   * Every task's {@code rows} (the same number on each), concatenated along the first dimension in task order: the
   * whole batch's rows on every task. Each task puts its rows into its slot of zeros and the slots are summed by one
   * all-reduce, which is exact (x + 0 = x) and, unlike a gather, does not depend on how TensorFlow ranks the tasks.
   */
  public static Output<TFloat32> gatherRows(Graph graph, Ops on, Operand<TFloat32> rows, Group group, int instance, int task) {
    return allReduce(graph, on, slot(on, rows, task, group.size()), group, instance, false);
  }

  /** {@code x} in slot {@code task} of {@code n} along its first dimension (each slot as long as x), zeros elsewhere. */
  public static Operand<TFloat32> slot(Ops on, Operand<TFloat32> x, int task, int n) {
    int rank = x.shape().numDimensions();
    if (rank < 1) {
      throw new IllegalArgumentException("rows of rank " + rank);
    }
    Operand<TInt32> count = on.reshape(on.slice(on.shape(x), on.constant(new int[] {0}), on.constant(new int[] {1})), on.constant(new int[] {1}));
    Operand<TInt32> first = on.concat(List.of(on.math.mul(count, on.constant(task)), on.math.mul(count, on.constant(n - 1 - task))),
        on.constant(0));
    Operand<TInt32> paddings = on.concat(List.of(on.reshape(first, on.constant(new int[] {1, 2})),
        on.zeros(on.constant(new int[] {rank - 1, 2}), TInt32.class)), on.constant(0));
    return on.pad(x, paddings, on.constant(0f));
  }

  /**
   * The element-wise mean over the group's tasks of each of {@code tensors} (whose shapes are {@code shapes}), as one
   * all-reduce: flattened, concatenated, reduced and split again. One collective for all of a step's gradients: a
   * collective costs about as much per tensor as per megabyte at Tessera's sizes (docs/distributed.md).
   */
  public static List<Output<TFloat32>> meanPacked(Graph graph, Ops on, List<? extends Operand<TFloat32>> tensors, List<long[]> shapes, Group group,
      int instance) {
    if (tensors.size() != shapes.size()) {
      throw new IllegalArgumentException(tensors.size() + " tensors, " + shapes.size() + " shapes");
    }
    List<Operand<TFloat32>> flat = new ArrayList<>();
    long[] sizes = new long[tensors.size()];
    for (int i = 0; i < tensors.size(); i++) {
      long size = 1;
      for (long d : shapes.get(i)) {
        size *= d;
      }
      sizes[i] = size;
      flat.add(on.reshape(tensors.get(i), on.constant(new long[] {size})));
    }
    Operand<TFloat32> packed = flat.size() == 1 ? flat.get(0) : on.concat(flat, on.constant(0));
    Output<TFloat32> reduced = allReduce(graph, on, packed, group, instance, true);
    List<Output<TFloat32>> out = new ArrayList<>();
    if (tensors.size() == 1) {
      out.add(on.reshape(reduced, on.constant(shapes.get(0))).asOutput());
      return out;
    }
    Operand<TInt64> splits = on.constant(sizes);
    var parts = on.splitV(reduced, splits, on.constant(0), (long) tensors.size());
    for (int i = 0; i < tensors.size(); i++) {
      out.add(on.reshape(parts.output().get(i), on.constant(shapes.get(i))).asOutput());
    }
    return out;
  }
}
