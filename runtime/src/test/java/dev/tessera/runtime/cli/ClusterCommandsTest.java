package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code worker} and {@code train --cluster} refuse bad input with one line, before anything starts. */
class ClusterCommandsTest {
  @TempDir Path tmp;

  private Path cluster(String json) throws Exception {
    return Files.writeString(tmp.resolve("cluster.json"), json);
  }

  @Test
  void workerNamesABadClusterFileOrTask() throws Exception {
    CliRun missing = CliRun.run(tmp, "worker", "--cluster", tmp.resolve("none.json").toString(), "--task", "0");
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("cannot read the cluster file"), missing.err());

    Path file = cluster("{\"worker\": [\"127.0.0.1:1\", \"127.0.0.1:2\"]}");
    CliRun task = CliRun.run(tmp, "worker", "--cluster", file.toString(), "--task", "2");
    assertEquals(1, task.exit());
    assertTrue(task.err().contains("--task 2: " + file + " has tasks 0..1"), task.err());
  }

  @Test
  void trainRefusesABadClusterFileAndADevice() throws Exception {
    Path file = cluster("{\"worker\": [\"127.0.0.1\"]}");
    CliRun bad = CliRun.run(tmp, "train", "vqvae", "--cluster", file.toString());
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("task 0 address '127.0.0.1' is not host:port"), bad.err());

    Path good = cluster("{\"worker\": [\"127.0.0.1:1\"]}");
    CliRun device = CliRun.run(tmp, "train", "vqvae", "--cluster", good.toString(), "--device", "gpu");
    assertEquals(1, device.exit());
    assertTrue(device.err().contains("--device does not apply with --cluster"), device.err());
  }

  @Test
  void trainRefusesAnUnknownExchangeAndAnExchangeWithoutACluster() throws Exception {
    Path good = cluster("{\"worker\": [\"127.0.0.1:1\"]}");
    CliRun unknown = CliRun.run(tmp, "train", "vqvae", "--cluster", good.toString(), "--exchange", "ring");
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().startsWith("error: --exchange ring: use hub (every variable on task 0) or all-reduce (a copy on every task)"),
        unknown.err());
    assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
    CliRun alone = CliRun.run(tmp, "train", "vqvae", "--exchange", "all-reduce");
    assertEquals(1, alone.exit());
    assertTrue(alone.err().startsWith("error: --exchange all-reduce is for a --cluster run: give --cluster FILE, or leave --exchange out"),
        alone.err());
    assertEquals(0, Files.list(tmp).filter(p -> !p.getFileName().toString().equals("cluster.json")).count(), "nothing written");
  }

  @Test
  void trainRefusesATaskWithoutAClusterWithTheHubOrOutsideTheCluster() throws Exception {
    Path good = cluster("{\"worker\": [\"127.0.0.1:1\", \"127.0.0.1:2\"]}");
    CliRun alone = CliRun.run(tmp, "train", "vqvae", "--task", "0");
    assertEquals(1, alone.exit());
    assertTrue(alone.err().startsWith("error: --task 0 is for a --cluster run: give --cluster FILE, or leave --task out"), alone.err());
    CliRun hub = CliRun.run(tmp, "train", "vqvae", "--cluster", good.toString(), "--task", "1", "--exchange", "hub");
    assertEquals(1, hub.exit());
    assertTrue(hub.err().startsWith("error: --task trains by all-reduce between the tasks (there is no hub between graphs): leave --exchange out"),
        hub.err());
    CliRun outside = CliRun.run(tmp, "train", "vqvae", "--cluster", good.toString(), "--task", "2");
    assertEquals(1, outside.exit());
    assertTrue(outside.err().startsWith("error: --task 2: " + good + " has tasks 0..1"), outside.err());
    for (CliRun r : java.util.List.of(alone, hub, outside)) {
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
    assertEquals(0, Files.list(tmp).filter(p -> !p.getFileName().toString().equals("cluster.json")).count(), "nothing written");
  }
}
