package dev.tessera.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.Dataset;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run leaves on disk when a save fails or is cut short (in-process; kill -9 is in samples). */
class CrashSafetyTest {
  @TempDir Path tmp;

  private static Dataset data() {
    SplittableRandom r = new SplittableRandom(3);
    float[] px = new float[32 * 16];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextDouble();
    }
    return Dataset.unlabeled("random", new ImageBatch(32, 4, 4, 1, px));
  }

  private static TrainResult train(Path dir, long steps, boolean resume) {
    return train(dir, steps, resume, new TinyAutoencoderModel());
  }

  private static TrainResult train(Path dir, long steps, boolean resume, TinyAutoencoderModel model) {
    TrainOptions o = TrainOptions.defaults(dir).withSteps(steps).withCheckpointEvery(2).withResume(resume);
    return new Trainer(new PrintWriter(new StringWriter())).train(model, ModelConfig.empty(), data(), o);
  }

  @Test
  void diskFullDuringASaveStopsTrainingAndLeavesThePreviousCheckpointIntact() throws Exception {
    Path mount = Files.createDirectories(tmp.resolve("small-disk"));
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()) == 0,
        "needs permission to mount a 1 MiB tmpfs (root on Linux) to fill a real file system");
    try {
      Path dir = mount.resolve("run");
      train(dir, 2, false);
      byte[] checkpoint = Files.readAllBytes(Checkpoint.file(dir));
      byte[] weights = Files.readAllBytes(dir.resolve(ModelWeights.WEIGHTS_FILE));
      Path filler = mount.resolve("filler");

      // The disk fills up during step 3, so the save after step 4 fails.
      TinyAutoencoderModel filling = new TinyAutoencoderModel(context -> {
        if (context.step() == 3) {
          fill(filler);
        }
      });
      TesseraException e = assertThrows(TesseraException.class, () -> train(dir, 6, true, filling));
      assertTrue(e.getMessage().contains("checkpoint of step 4") && e.getMessage().contains("No space left on device"), e.getMessage());
      assertTrue(e.getMessage().contains("last good checkpoint (step 2) is kept"), e.getMessage());
      assertArrayEquals(checkpoint, Files.readAllBytes(Checkpoint.file(dir)), "the checkpoint changed");
      assertArrayEquals(weights, Files.readAllBytes(dir.resolve(ModelWeights.WEIGHTS_FILE)), "the weights changed");
      assertEquals(List.of(), temporaries(dir), "temporary files left behind");

      // Full from the start: resuming says so and changes nothing either.
      e = assertThrows(TesseraException.class, () -> train(dir, 6, true));
      assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains("(step 2)"), e.getMessage());
      assertArrayEquals(checkpoint, Files.readAllBytes(Checkpoint.file(dir)), "the checkpoint changed");
      assertEquals(List.of(), temporaries(dir), "temporary files left behind");

      Files.delete(filler);
      TrainResult resumed = train(dir, 6, true);
      assertEquals(2, resumed.firstStep());
      assertEquals(6, resumed.lastStep());
    } finally {
      run("umount", "-l", mount.toString());
    }
  }

  @Test
  void resumeRemovesTheTemporaryFilesOfAnInterruptedSave() throws Exception {
    Path dir = tmp.resolve("run");
    train(dir, 2, false);
    Files.writeString(dir.resolve(Checkpoint.CHECKPOINT_FILE + ".tmp-3f2a9c"), "half a checkpoint");
    Files.writeString(dir.resolve("config.json.tmp-1b"), "{\"half");
    Files.writeString(dir.resolve("notes.tmp-x.txt"), "not ours");
    assertEquals(2, Checkpoint.removeStaleTemporaries(dir));
    assertEquals(List.of(), temporaries(dir));
    assertTrue(Files.exists(dir.resolve("notes.tmp-x.txt")));
    assertEquals(4, train(dir, 4, true).lastStep());
  }

  @Test
  void resumeDropsALogRowCutShortByAKill() throws IOException {
    Path log = tmp.resolve("train-log.csv");
    Files.writeString(log, "step,loss,seconds\n1,0.5,0.1\n2,0.4,0.2\n3,0.3,0.3\n4,0.2", StandardCharsets.UTF_8);
    Trainer.truncateLog(log, 3);
    assertEquals("step,loss,seconds\n1,0.5,0.1\n2,0.4,0.2\n3,0.3,0.3\n", Files.readString(log));
    Files.writeString(log, "step,loss,seconds\n1,0.5,0.1\n2,0.4", StandardCharsets.UTF_8);
    Trainer.truncateLog(log, 3);
    assertEquals("step,loss,seconds\n1,0.5,0.1\n", Files.readString(log));
  }

  private static List<Path> temporaries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().matches(".*\\.tmp(-[0-9a-f]+)?")).toList();
    }
  }

  private static void fill(Path filler) {
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      assertTrue(String.valueOf(full.getMessage()).contains("No space left"), String.valueOf(full));
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
