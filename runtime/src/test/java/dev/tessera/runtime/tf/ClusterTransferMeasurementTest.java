package dev.tessera.runtime.tf;

import dev.tessera.runtime.cluster.ClusterSpec;
import dev.tessera.runtime.cluster.WorkerProcesses;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * A measurement, not a check (the long profile: {@code mvn -Plong test -pl runtime
 * -Dtest=ClusterTransferMeasurementTest}): the time of a two-task step that ships about the VQ-VAE's
 * parameters (720,000 floats) from task 0 to task 1 and as many gradients back, as 2 to 100
 * tensors each way or packed into one, printed as a table (docs/distributed.md, "What it costs").
 * It asserts only that the steps ran.
 */
@org.junit.jupiter.api.Tag("long")
class ClusterTransferMeasurementTest {
  @TempDir Path dir;

  double msPerStep(ClusterSpec c, int count, int totalFloats, boolean pack) {
    int each = totalFloats / count;
    try (Graph g = new Graph()) {
      Ops t0 = Ops.create(g).withDevice(c.device(0));
      Ops t1 = Ops.create(g).withDevice(c.device(1));
      List<Variable<TFloat32>> vars = new ArrayList<>();
      List<Operand<?>> inits = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Variable<TFloat32> v = t0.withName("v" + i).variable(Shape.of(each), TFloat32.class);
        vars.add(v);
        inits.add(t0.assign(v, t0.fill(t0.constant(new long[] {each}), t0.constant(0.01f))));
      }
      List<Operand<TFloat32>> read = ship(t0, t1, new ArrayList<>(vars), each, pack);
      // a replica on task 1: loss = sum of squares; gradient 2 v per tensor
      List<Operand<TFloat32>> grads = new ArrayList<>();
      read.forEach(r -> grads.add(t1.math.mul(r, t1.constant(2f))));
      List<Operand<TFloat32>> back = ship(t1, t0, grads, each, pack);
      List<Operand<?>> updates = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        updates.add(t0.assignSub(vars.get(i), t0.math.mul(back.get(i), t0.constant(1e-3f))));
      }
      try (Session s = ClusterSession.open(g, c.target(0), ConfigProto.newBuilder().setOperationTimeoutInMs(20_000).setIsolateSessionState(true).build())) {
        Session.Runner init = s.runner();
        inits.forEach(init::addTarget);
        init.run();
        for (int w = 0; w < 5; w++) {
          Session.Runner r = s.runner();
          updates.forEach(r::addTarget);
          r.run();
        }
        int steps = 30;
        long start = System.nanoTime();
        for (int w = 0; w < steps; w++) {
          Session.Runner r = s.runner();
          updates.forEach(r::addTarget);
          r.run();
        }
        return (System.nanoTime() - start) / 1e6 / steps;
      }
    }
  }

  /** The tensors of one task as read on another: one by one, or packed into one tensor and split there. */
  private static List<Operand<TFloat32>> ship(Ops from, Ops to, List<Operand<TFloat32>> tensors, int each, boolean pack) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    if (!pack) {
      tensors.forEach(t -> out.add(to.identity(t)));
      return out;
    }
    Operand<TFloat32> there = to.identity(from.concat(tensors, from.constant(0)));
    long[] sizes = new long[tensors.size()];
    java.util.Arrays.fill(sizes, each);
    out.addAll(to.splitV(there, to.constant(sizes), to.constant(0), (long) tensors.size()).output());
    return out;
  }

  @Test
  void experiment() {
    try (WorkerProcesses workers = WorkerProcesses.start(2, dir)) {
      ClusterSpec c = workers.cluster();
      int total = 720_000; // about the VQ-VAE's parameters
      for (int round = 0; round < 2; round++) {
        for (int count : new int[] {2, 10, 40, 100}) {
          double separate = msPerStep(c, count, total, false);
          double packed = msPerStep(c, count, total, true);
          System.out.printf("%d tensors of %d floats: %.2f ms per step separately, %.2f ms packed%n", count, total / count, separate, packed);
          org.junit.jupiter.api.Assertions.assertTrue(separate > 0 && packed > 0 && Double.isFinite(separate + packed));
        }
      }
    }
  }
}
