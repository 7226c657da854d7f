package dev.tessera.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class WorkerServerTest {
  @Test
  void aTakenPortIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      int port = taken.getLocalPort();
      ClusterSpec cluster = ClusterSpec.of("127.0.0.1:" + port);
      String message = assertThrows(TesseraException.class, () -> WorkerServer.checkPortFree(port, 0, cluster)).getMessage();
      assertTrue(message.contains("task 0 (127.0.0.1:" + port + "): port " + port + " is in use"), message);
    }
  }

  @Test
  void aTaskOutsideTheClusterIsRefusedBeforeAnythingStarts() {
    String message = assertThrows(TesseraException.class, () -> WorkerServer.start(ClusterSpec.of("127.0.0.1:1"), 3)).getMessage();
    assertTrue(message.startsWith("--task 3: "), message);
  }

  @Test
  void workersKeepASecondInterOpThreadEvenOnOneCore() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("TESSERA_INTER_OP_THREADS") == null, "set in the environment");
    int threads = WorkerServer.interOpThreads();
    assertTrue(threads >= 2 && threads >= Runtime.getRuntime().availableProcessors(), "inter-op threads " + threads);
  }
}
