package dev.tessera.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSpecTest {
  @TempDir Path tmp;

  private ClusterSpec read(String json) throws Exception {
    return ClusterSpec.read(Files.writeString(tmp.resolve("cluster.json"), json));
  }

  private String error(String json) {
    return assertThrows(TesseraException.class, () -> read(json)).getMessage();
  }

  @Test
  void readsTheWorkerJob() throws Exception {
    ClusterSpec c = read("{\"worker\": [\"10.0.0.1:2222\", \"[::1]:2223\"]}");
    assertEquals(2, c.size());
    assertEquals("grpc://10.0.0.1:2222", c.target(0));
    assertEquals(2223, c.port(1));
    assertEquals("[::1]", c.host(1));
    assertEquals("/job:worker/replica:0/task:1", c.device(1).toString());
    assertEquals("10.0.0.1:2222", c.toClusterDef().getJob(0).getTasksMap().get(0));
  }

  @Test
  void badFilesGetErrorsThatSayWhatIsWrong() {
    assertTrue(error("{\"worker\": [").contains("invalid JSON"));
    assertTrue(error("{\"worker\": [\"a:1\"], \"worker\": [\"b:2\"]}").contains("Duplicate field 'worker'"), "a repeated key");
    assertTrue(error("{\"worker\": [\"a:1\"]} junk").contains("invalid JSON"), "trailing junk");
    assertTrue(error("{\"worker\": [\"a:1\"]} {}").contains("unexpected data after the object"), "a second object");
    assertTrue(error("[]").contains("expected an object"));
    assertTrue(error("{}").contains("expected \"worker\""));
    assertTrue(error("{\"worker\": []}").contains("no tasks"));
    assertTrue(error("{\"worker\": [\"a:1\"], \"ps\": [\"b:2\"]}").contains("unknown job 'ps'"));
    assertTrue(error("{\"worker\": [2222]}").contains("task 0 of 'worker' is 2222"));
    assertTrue(error("{\"worker\": [\"localhost\"]}").contains("is not host:port"));
    assertTrue(error("{\"worker\": [\"localhost:99999\"]}").contains("no port in 1..65535"));
    assertTrue(error("{\"worker\": [\"a:1\", \"a:1\"]}").contains("task 1 repeats the address a:1"));
    assertTrue(assertThrows(TesseraException.class, () -> ClusterSpec.read(tmp.resolve("missing.json"))).getMessage()
        .contains("cannot read the cluster file"));
  }

  @Test
  void aTaskIndexOutsideTheClusterIsRefused() {
    ClusterSpec c = ClusterSpec.of("127.0.0.1:1", "127.0.0.1:2");
    assertEquals("--task 2: cluster has tasks 0..1", assertThrows(TesseraException.class, () -> c.checkTask(2)).getMessage());
    assertThrows(TesseraException.class, () -> c.checkTask(-1));
  }
}
