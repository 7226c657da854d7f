package dev.tessera.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LostWorkerTest {
  private static final ClusterSpec CLUSTER = ClusterSpec.of("127.0.0.1:4000", "127.0.0.1:4001");

  @Test
  void findsTheTaskTensorFlowNames() {
    assertEquals(1, LostWorker.task("From /job:worker/replica:0/task:1:\nConnection reset by peer"));
    assertEquals(-1, LostWorker.task("Deadline Exceeded"));
    assertEquals(-1, LostWorker.task(null));
  }

  @Test
  void aLostTaskIsNamedWithItsAddressAndTheCheckpoint() {
    RuntimeException tf = new RuntimeException("From /job:worker/replica:0/task:1:\nConnection reset by peer\nAdditional GRPC error information");
    String message = LostWorker.describe(tf, CLUSTER, 42, Duration.ofSeconds(30), "the last good checkpoint (step 40) is kept in x").getMessage();
    assertEquals("lost worker task 1 at 127.0.0.1:4001 at step 42 (Connection reset by peer); training stopped; "
        + "the last good checkpoint (step 40) is kept in x", message);
  }

  @Test
  void aTimeoutSaysNoWorkerAnswered() {
    String message = LostWorker.describe(new RuntimeException("Deadline Exceeded"), CLUSTER, 3, Duration.ofSeconds(30), "kept").getMessage();
    assertTrue(message.contains("stopped answering at step 3 (no reply within --worker-timeout 30 s)"), message);
  }
}
