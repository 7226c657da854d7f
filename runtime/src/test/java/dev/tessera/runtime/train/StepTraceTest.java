package dev.tessera.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.TesseraException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.StepStats;

class StepTraceTest {
  private static NodeExecStats node(String name, long start, long duration) {
    return NodeExecStats.newBuilder().setNodeName(name).setAllStartMicros(start).setAllEndRelMicros(duration).setThreadId(1).build();
  }

  /** Task 0 computes 0-10 and 5-12 (overlapping: 12 busy), task 1 waits and computes 20-30 and 40-45. */
  private static RunMetadata twoTasks() {
    return RunMetadata.newBuilder().setStepStats(StepStats.newBuilder()
        .addDevStats(DeviceStepStats.newBuilder().setDevice("/job:worker/replica:0/task:1/device:CPU:0")
            .addNodeStats(node("b", 1040, 5)).addNodeStats(node("a", 1020, 10)))
        .addDevStats(DeviceStepStats.newBuilder().setDevice("/job:worker/replica:0/task:0/device:CPU:0")
            .addNodeStats(node("x", 1000, 10)).addNodeStats(node("y", 1005, 7)))
        .addDevStats(DeviceStepStats.newBuilder().setDevice("/job:worker/replica:0/task:0/device:GPU:0")))
        .build();
  }

  @Test
  void eachDevicesSpanAndBusyTimeFromTheStepsFirstOp() {
    List<StepTrace.Device> devices = StepTrace.devices(twoTasks());
    assertEquals(2, devices.size(), "a device without ops is left out");
    assertEquals(new StepTrace.Device("/job:worker/replica:0/task:0/device:CPU:0", 0, 12, 12, 2), devices.get(0));
    assertEquals(new StepTrace.Device("/job:worker/replica:0/task:1/device:CPU:0", 20, 45, 15, 2), devices.get(1));
  }

  @Test
  void writesAChromeTraceAndASummary(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("trace-step-3.json");
    List<String> lines = StepTrace.write(twoTasks(), 60, file);
    assertTrue(lines.get(0).contains("0.1 ms wall"), lines.get(0));
    assertTrue(lines.get(2).contains("task:1") && lines.get(2).contains("busy     0.0"), lines.get(2));
    JsonNode events = new ObjectMapper().readTree(file.toFile()).get("traceEvents");
    assertEquals(3 + 4, events.size(), "three process names and four ops");
    assertEquals("X", events.get(1).get("ph").asText());
  }

  @Test
  void theTracedStepIsAPositiveNumberOrNone() {
    assertEquals(0, Trainer.traceStep(null));
    assertEquals(0, Trainer.traceStep(" "));
    assertEquals(50, Trainer.traceStep("50"));
    TesseraException e = assertThrows(TesseraException.class, () -> Trainer.traceStep("fifty"));
    assertTrue(e.getMessage().contains("TESSERA_TRACE_STEP"), e.getMessage());
  }
}
