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
    assertEquals(1, LostWorker.task("From /job:worker/replica:0/task:0:\n... remote target /job:worker/replica:0/task:1 while", 0),
        "between graphs a task's own device comes first");
    assertEquals(0, LostWorker.task("From /job:worker/replica:0/task:0: aborted", 0));
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

  /** All-reduce after a worker restarted while task 0 kept running: TensorFlow's message (2.18), and what to do. */
  @Test
  void aRestartedWorkerThatAllReduceRefusesSaysToRestartEveryWorker() {
    RuntimeException tf = new RuntimeException("Collective ops is aborted by: Collective ops is aborted by: /job:worker/replica:0/task:1/device:CPU:0"
        + "exists in cache with a different incarnation. This usually means the remote worker has restarted\nThe error could be from a previous"
        + " operation.");
    String message = LostWorker.describe(tf, CLUSTER, 401, Duration.ofSeconds(30), "the last good checkpoint (step 400) is kept in x").getMessage();
    assertEquals("worker task 1 at 127.0.0.1:4001 was restarted, and task 0 (127.0.0.1:4000) still knows its previous run, which all-reduce"
        + " refuses; training stopped at step 401; the last good checkpoint (step 400) is kept in x. Restart every worker of "
        + CLUSTER.source() + ", then --resume (or train with --exchange hub)", message);
  }

  @Test
  void anAbortedAllReduceSaysToRestartEveryWorker() {
    RuntimeException tf = new RuntimeException("From /job:worker/replica:0/task:1:\nCollective ops is aborted by: collective ops already aborted");
    String message = LostWorker.describe(tf, CLUSTER, 31, Duration.ofSeconds(30), "kept").getMessage();
    assertTrue(message.startsWith("the workers' all-reduce was aborted by an earlier failure (a worker lost or restarted) and stays so until they"
        + " restart; training stopped at step 31; kept. Restart every worker of "), message);
  }

  /** Between graphs (train --task) every task's run stops: each says to start every task again with --resume. */
  @Test
  void betweenGraphsEveryTaskIsStartedAgainWithResume() {
    RuntimeException lost = new RuntimeException("From /job:worker/replica:0/task:0:\nCollective ops is aborted by: Connection reset by peer\n"
        + "Additional GRPC error information from remote target /job:worker/replica:0/task:1 while calling /tensorflow.WorkerService/RecvBuf:");
    assertEquals("lost worker task 1 at 127.0.0.1:4001 at step 42 (Collective ops is aborted by: Connection reset by peer); training stopped;"
        + " kept; start every task again with --resume", LostWorker.describe(lost, CLUSTER, 42, Duration.ofSeconds(30), "kept", 0).getMessage());
    RuntimeException aborted = new RuntimeException("Collective ops is aborted by: collective ops already aborted");
    String message = LostWorker.describe(aborted, CLUSTER, 31, Duration.ofSeconds(30), "kept", 1).getMessage();
    assertTrue(message.endsWith("training stopped at step 31; kept. Start every task's train command again with --resume"), message);
  }
}
