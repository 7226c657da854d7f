package dev.tessera.runtime.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.cluster.WorkerProcesses;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.types.TFloat32;

/** The one class that reaches into TensorFlow's internals, against two worker processes. */
class ClusterSessionTest {
  @TempDir static Path dir;
  static WorkerProcesses workers;

  @BeforeAll
  static void startWorkers() {
    workers = WorkerProcesses.start(2, dir);
  }

  @AfterAll
  static void stopWorkers() {
    if (workers != null) {
      workers.close();
    }
  }

  @Test
  void aSessionOnTaskZeroRunsOpsPlacedOnTaskOne() {
    ClusterSpec cluster = workers.cluster();
    try (Graph g = new Graph()) {
      Ops t1 = Ops.create(g).withDevice(cluster.device(1));
      Placeholder<TFloat32> x = t1.placeholder(TFloat32.class);
      Operand<TFloat32> y = t1.math.mul(x, t1.constant(3f));
      try (Session s = ClusterSession.open(g, cluster.target(0), ConfigProto.newBuilder().setOperationTimeoutInMs(10_000).build());
          TFloat32 in = TFloat32.scalarOf(2f);
          Result r = s.runner().feed(x, in).fetch(y).setOptions(trace()).runAndFetchMetadata()) {
        assertEquals(6f, ((TFloat32) r.get(0)).getFloat());
        assertTrue(devicesOf(r.getMetadata().get(), "Mul").get(0).contains("/task:1/"));
      }
    }
  }

  @Test
  void gradientOpsGoWhereTheyArePlaced() {
    ClusterSpec cluster = workers.cluster();
    try (Graph g = new Graph()) {
      Ops t1 = Ops.create(g).withDevice(cluster.device(1));
      Placeholder<TFloat32> x = t1.placeholder(TFloat32.class);
      Operand<TFloat32> y = t1.math.square(x);
      Output<?>[] grad = ClusterSession.placeNewOps(g, cluster.device(1), () -> g.addGradients(y.asOutput(), new Output<?>[] {x.asOutput()}));
      GraphOperation gradOp = (GraphOperation) grad[0].op();
      assertEquals("/job:worker/replica:0/task:1", gradOp.device());
      try (Session s = ClusterSession.open(g, cluster.target(0), ConfigProto.newBuilder().setOperationTimeoutInMs(10_000).build());
          TFloat32 in = TFloat32.scalarOf(5f);
          Result r = s.runner().feed(x, in).fetch(grad[0]).setOptions(trace()).runAndFetchMetadata()) {
        assertEquals(10f, ((TFloat32) r.get(0)).getFloat());
        for (String device : devicesOf(r.getMetadata().get(), "gradients/")) {
          assertTrue(device.contains("/task:1/"), device);
        }
      }
    }
  }

  @Test
  void opsBuiltOutsideTheBlockKeepTheirDevice() {
    ClusterSpec cluster = workers.cluster();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> before = tf.constant(1f);
      ClusterSession.placeNewOps(g, cluster.device(1), () -> tf.math.add(before, before));
      assertEquals("", ((GraphOperation) before.op()).device());
    }
  }

  private static RunOptions trace() {
    return RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
  }

  /** The devices that ran nodes whose names start with {@code prefix}. */
  private static List<String> devicesOf(RunMetadata metadata, String prefix) {
    List<String> devices = new java.util.ArrayList<>();
    for (DeviceStepStats d : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats n : d.getNodeStatsList()) {
        if (n.getNodeName().startsWith(prefix)) {
          devices.add(d.getDevice());
        }
      }
    }
    assertTrue(!devices.isEmpty(), "no node named " + prefix + "* ran");
    return devices;
  }
}
