package dev.tessera.runtime.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.api.graph.Tensors;
import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.cluster.LoopbackCluster;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Server;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.ServerDef;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow's collective all-reduce ({@link Collectives}: CollectiveReduceV2, built by name: TensorFlow Java 1.1.0's
 * {@code CollectiveReduce} class is the V3 op, which needs a communicator) runs from TensorFlow Java
 * across two tasks of one in-graph cluster when the servers and the session name a collective
 * group leader: each task ends with the sum of both tensors. The groundwork for gradients
 * all-reduced between workers ({@code --exchange all-reduce}), and its cost against the hub. The servers run in
 * this JVM until it ends (TensorFlow 2.18 cannot stop one).
 */
class CollectiveAllReduceProbeTest {
  static ConfigProto config() {
    return Collectives.withLeader(ConfigProto.getDefaultInstance());
  }

  /** Two in-process servers that name task 0 their collective group leader. */
  static ClusterSpec servers() {
    ClusterSpec cluster = LoopbackCluster.spec(LoopbackCluster.freePorts(2));
    for (int task = 0; task < 2; task++) {
      Server s = new Server(ServerDef.newBuilder().setCluster(cluster.toClusterDef()).setJobName(ClusterSpec.JOB).setTaskIndex(task)
          .setProtocol("grpc").setDefaultSessionConfig(config()).build());
      s.start();
    }
    return cluster;
  }

  @Test
  void twoTasksSumTheirTensors() {
    ClusterSpec cluster = servers();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Output<?>[] reduced = new Output<?>[2];
      Collectives.Group group = new Collectives.Group(2);
      int instance = group.instance();
      for (int task = 0; task < 2; task++) {
        Ops on = tf.withDevice(cluster.device(task));
        reduced[task] = Collectives.allReduce(g, on, on.constant(new float[] {1f + task * 10, 2f + task * 10}), group, instance, false);
      }
      try (Session session = ClusterSession.open(g, cluster.target(0), config());
          Result r = session.runner().fetch(reduced[0]).fetch(reduced[1]).run()) {
        assertArrayEquals(new float[] {12f, 14f}, Tensors.toFloats((TFloat32) r.get(0)));
        assertArrayEquals(new float[] {12f, 14f}, Tensors.toFloats((TFloat32) r.get(1)));
      }
    }
  }

  /**
   * A measurement (long profile): ms per session run that all-reduces about the VQ-VAE's parameters (720,000 floats)
   * between the two tasks, as one tensor and as 32, against sending them to task 0 and back (the hub).
   */
  @Test
  @org.junit.jupiter.api.Tag("long")
  void allReduceTime() {
    ClusterSpec cluster = servers();
    int total = 720_000;
    for (int round = 0; round < 2; round++) {
      for (int count : new int[] {1, 32}) {
        System.out.printf("all-reduce of %d floats as %d tensor(s): %.2f ms per run%n", total, count, msPerRun(cluster, total, count, true));
        System.out.printf("hub (task 1 -> task 0 -> task 1) of %d floats as %d tensor(s): %.2f ms per run%n", total, count,
            msPerRun(cluster, total, count, false));
      }
    }
  }

  private static double msPerRun(ClusterSpec cluster, int total, int count, boolean collective) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      java.util.List<org.tensorflow.Operand<?>> fetch = new java.util.ArrayList<>();
      java.util.List<org.tensorflow.Operand<?>> init = new java.util.ArrayList<>();
      Ops t0 = tf.withDevice(cluster.device(0));
      Ops t1 = tf.withDevice(cluster.device(1));
      org.tensorflow.ndarray.Shape shape = org.tensorflow.ndarray.Shape.of(total / count);
      Collectives.Group group = new Collectives.Group(2);
      for (int i = 0; i < count; i++) {
        // variables, so that nothing is folded into a constant before it crosses
        var a = t0.variable(shape, TFloat32.class);
        var b = t1.variable(shape, TFloat32.class);
        init.add(t0.assign(a, t0.fill(t0.constant(new long[] {total / count}), t0.constant(0.5f))));
        init.add(t1.assign(b, t1.fill(t1.constant(new long[] {total / count}), t1.constant(0.25f))));
        if (collective) {
          int instance = group.instance();
          fetch.add(t0.reduceSum(Collectives.allReduce(g, t0, a, group, instance, false), t0.constant(0)));
          fetch.add(t1.reduceSum(Collectives.allReduce(g, t1, b, group, instance, false), t1.constant(0)));
        } else {
          var sum = t0.math.add(a, b); // b crosses to task 0
          fetch.add(t0.reduceSum(sum, t0.constant(0)));
          fetch.add(t1.reduceSum(t1.identity(sum), t1.constant(0))); // and the sum back to task 1
        }
      }
      // variables on a server outlive sessions and are shared by name: keep each run's own
      try (Session session = ClusterSession.open(g, cluster.target(0), config().toBuilder().setIsolateSessionState(true).build())) {
        Session.Runner first = session.runner();
        init.forEach(first::addTarget);
        first.run();
        int runs = 30;
        long start = 0;
        for (int r = -5; r < runs; r++) {
          if (r == 0) {
            start = System.nanoTime();
          }
          Session.Runner runner = session.runner();
          fetch.forEach(runner::fetch);
          runner.run().close();
        }
        return (System.nanoTime() - start) / 1e6 / runs;
      }
    }
  }
}
