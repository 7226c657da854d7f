package dev.tessera.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TFloat32;

class OpProfileTest {
  @TempDir Path tmp;

  private static NodeExecStats node(String name, String type, long micros) {
    return NodeExecStats.newBuilder().setNodeName(name).setTimelineLabel(name + " = " + type + "(a, b)").setAllEndRelMicros(micros).build();
  }

  @Test
  void sumsStepStatsByOpTypeAndByNodeOverRuns() {
    RunMetadata run = RunMetadata.newBuilder().setStepStats(StepStats.newBuilder().addDevStats(DeviceStepStats.newBuilder()
        .addNodeStats(node("conv1", "Conv2D", 300)).addNodeStats(node("conv2", "Conv2D", 100)).addNodeStats(node("add", "AddV2", 50))))
        .build();
    OpProfile p = new OpProfile(null);
    p.add(run, 600);
    p.add(run, 400);
    assertEquals(2, p.runs());
    assertEquals(List.of(new OpProfile.Entry("Conv2D", 800, 4), new OpProfile.Entry("AddV2", 100, 2)), p.topTypes(10));
    assertEquals(new OpProfile.Entry("conv1", 600, 2), p.topNodes(1).get(0));
    assertTrue(p.text("w").contains("2 traced session run(s), 1.00 ms wall, 0.90 ms summed op time"), p.text("w"));
    assertTrue(p.text("w").contains("88.9%"), p.text("w"));
  }

  @Test
  void tracedRunsOfARealSessionNameTheirOpTypesAndAreWritten() throws Exception {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      // A fed operand, so that grappler cannot fold the product into a constant.
      var x = tf.placeholder(TFloat32.class);
      var y = tf.withName("product").linalg.matMul(x, tf.constant(new float[][] {{1, 0}, {0, 1}}));
      try (Session s = new Session(g)) {
        SessionRuns runs = new SessionRuns();
        OpProfile profile = new OpProfile(g);
        runs.trace(profile);
        try (TFloat32 xv = dev.tessera.api.graph.Tensors.floats(new long[] {2, 2}, new float[] {1, 2, 3, 4})) {
          try (Result r = runs.run(s.runner().feed(x, xv).fetch(y))) {
            assertEquals(4f, ((TFloat32) r.get(0)).getFloat(1, 1));
          }
          runs.trace(null);
          runs.runAndClose(s.runner().feed(x, xv).fetch(y));
        }
        assertEquals(1, profile.runs()); // the kernel that ran: MatMul, or _MklMatMul with oneDNN
        assertTrue(profile.topTypes(10).stream().anyMatch(e -> e.key().endsWith("MatMul")) && profile.topNodes(10).stream().anyMatch(e -> e.key().equals("product")), profile.topTypes(10).toString());
        assertTrue(runs.insideNanos() > 0);
        profile.write(tmp.resolve("prof"), "tiny");
        assertTrue(Files.readString(tmp.resolve("prof/tiny.txt")).contains("ten most expensive by op type"));
        assertTrue(Files.readString(tmp.resolve("prof/tiny.json")).contains("\"top_op_types\""));
      }
    }
  }
}
