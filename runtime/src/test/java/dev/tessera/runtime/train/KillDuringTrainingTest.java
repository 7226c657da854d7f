package dev.tessera.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a training process with SIGKILL (Process.destroyForcibly) 20 times, half at random moments and half the instant a
 * checkpoint's temporary file appears (mid-write), and after each kill checks that the latest
 * checkpoint and weights load and that training resumes from that checkpoint. The run ends
 * with weights equal (to float rounding) to those of a run that was never killed.
 */
class KillDuringTrainingTest {
  static final int KILLS = 20;

  @TempDir Path tmp;

  @Test
  void killedTwentyTimesItResumesFromTheLatestCheckpointEveryTime() throws Exception {
    Path dir = tmp.resolve("run");
    Random random = new Random(20);
    long lastStep = 0;
    int midWrite = 0;
    List<String> rounds = new ArrayList<>();
    for (int round = 0; round < KILLS; round++) {
      boolean resume = Checkpoint.exists(dir);
      // Temporary files an earlier kill left behind do not count: only those of this process's saves.
      List<Path> stale = temporaries(dir);
      Process p = start(dir, 100_000, resume);
      boolean duringWrite = round % 2 == 1;
      boolean tempAtKill;
      try {
        tempAtKill = duringWrite ? killWhenATemporaryFileAppears(p, dir, stale, 30_000) : killAfter(p, 400 + random.nextInt(2600), dir, stale);
      } finally {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      assertTrue(p.exitValue() != 0, "round " + round + ": the process was not killed");
      if (tempAtKill) {
        midWrite++;
      }
      if (!Checkpoint.exists(dir)) {
        assertEquals(0, round, "the checkpoint disappeared after round " + round);
        rounds.add("round 0: killed before the first checkpoint");
        continue; // killed before the first checkpoint: the next round starts afresh
      }
      // The latest checkpoint and the weights beside it load, and training never goes back.
      Parameters checkpoint = Parameters.load(Checkpoint.file(dir));
      long step = Long.parseLong(checkpoint.metadata().get("step"));
      ModelWeights weights = ModelWeights.load(dir);
      assertTrue(step >= lastStep, "round " + round + ": checkpoint step went back from " + lastStep + " to " + step);
      assertTrue(weights.parameters().names().contains("ballast.matrix.w"), weights.parameters().names()::toString);
      rounds.add("round " + round + (duringWrite ? " (on a temporary file)" : " (at a random moment)") + ": step " + step
          + (tempAtKill ? ", killed mid-write" : ""));
      lastStep = step;
    }
    System.out.println("kill -9 rounds:\n  " + String.join("\n  ", rounds));
    System.out.printf("%d kills, %d with a checkpoint write in progress, last checkpoint at step %d%n", KILLS, midWrite, lastStep);
    assertTrue(lastStep > 0, "no checkpoint was ever written");
    // About half land mid-write on an idle machine (10 and 11 of 20 measured); under heavy load saves finish faster than the poll sees them.
    assertTrue(midWrite >= 2, "only " + midWrite + " of " + KILLS + " kills landed during a checkpoint write");

    // Resume to a fixed end and compare with a run that was never interrupted.
    long end = lastStep + 3;
    Process last = start(dir, end, true);
    String output = new String(last.getInputStream().readAllBytes());
    assertTrue(last.waitFor(120, TimeUnit.SECONDS), "the final resume did not finish");
    assertEquals(0, last.exitValue(), output);
    assertTrue(output.contains("resumed ballast from") && output.contains("at step " + lastStep), output);
    assertEquals(List.of(), temporaries(dir), "temporary files left after a clean resume");
    Path straight = tmp.resolve("straight");
    new Trainer(new PrintWriter(new StringWriter())).train(new BallastModel(), ModelConfig.empty(), BallastModel.data(),
        BallastModel.options(straight, end, false));
    double diff = WeightDifference.maxAbs(dir, straight);
    System.out.printf("after %d steps: max |killed-and-resumed - uninterrupted| = %.3g%n", end, diff);
    assertTrue(diff < 1e-4, "resumed weights differ from an uninterrupted run by " + diff);
  }

  private static Process start(Path dir, long steps, boolean resume) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-cp",
        System.getProperty("java.class.path"), BallastModel.class.getName(), dir.toString(), Long.toString(steps)));
    if (resume) {
      command.add("--resume");
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    if (steps < 100_000) {
      return pb.start();
    }
    return pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolveSibling("killed-runs.log").toFile())).start();
  }

  /** Waits until a checkpoint has been written, then {@code millis} more, then kills; true if a save was in progress. */
  private static boolean killAfter(Process p, long millis, Path dir, List<Path> stale) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Checkpoint.exists(dir) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    Thread.sleep(millis);
    return kill(p, dir, stale);
  }

  private static boolean killWhenATemporaryFileAppears(Process p, Path dir, List<Path> stale, long timeoutMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (p.isAlive() && System.nanoTime() < deadline) {
      if (Files.isDirectory(dir) && !fresh(temporaries(dir), stale).isEmpty()) {
        return kill(p, dir, stale);
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("no checkpoint write seen within " + timeoutMillis + " ms (alive: " + p.isAlive() + "); output:\n"
        + Files.readString(dir.resolveSibling("killed-runs.log")));
  }

  /** SIGKILL, then whether a temporary file of an unfinished save of this process is left. */
  private static boolean kill(Process p, Path dir, List<Path> stale) throws Exception {
    p.destroyForcibly(); // SIGKILL on Linux, sent from this process at once (no kill(1) to start first)
    p.waitFor(30, TimeUnit.SECONDS);
    return Files.isDirectory(dir) && !fresh(temporaries(dir), stale).isEmpty();
  }

  private static List<Path> fresh(List<Path> now, List<Path> stale) {
    return now.stream().filter(f -> !stale.contains(f)).toList();
  }

  private static List<Path> temporaries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().matches(".*\\.tmp(-[0-9a-f]+)?")).toList();
    } catch (java.nio.file.NoSuchFileException e) {
      return List.of();
    }
  }
}
