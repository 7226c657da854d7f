package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading another run's fid-bootstrap.csv for {@code reconstruct --paired-with}. */
class BootstrapFileTest {
  @TempDir Path tmp;

  private Path file(String text) throws Exception {
    Path p = tmp.resolve("fid-bootstrap.csv");
    Files.writeString(p, text);
    return p;
  }

  private static String message(Path csv, int images, int resamples) {
    return assertThrows(TesseraException.class, () -> ReconstructCommand.readBootstrap(csv, images, resamples)).getMessage();
  }

  @Test
  void readsTheFullFidThenTheResamples() throws Exception {
    Path csv = file("resample,images,fid\n-1,3,1.5\n0,3,2.0\n1,3,2.5\n");
    assertArrayEquals(new double[] {1.5, 2.0, 2.5}, ReconstructCommand.readBootstrap(csv, 3, 2));
  }

  @Test
  void namesWhatDoesNotMatch() throws Exception {
    Path csv = file("resample,images,fid\n-1,3,1.5\n0,3,2.0\n1,3,2.5\n");
    assertTrue(message(csv, 3, 4).contains("holds 2 resamples, this run makes 4: use the same --bootstrap"));
    assertTrue(message(csv, 5, 2).contains("was made from 3 images, this run has 5"));
    assertTrue(message(csv, 3, 0).contains("--paired-with needs --bootstrap N"));
    assertTrue(message(tmp.resolve("missing.csv"), 3, 2).contains("cannot read"));
  }

  @Test
  void rejectsOtherFilesAndDamagedLines() throws Exception {
    assertTrue(message(file("a,b\n1,2\n"), 3, 1).contains("is not a fid-bootstrap.csv"));
    assertTrue(message(file(""), 3, 1).contains("is not a fid-bootstrap.csv"));
    assertTrue(message(file("resample,images,fid\n-1,3,1.5\n0,3,abc\n"), 3, 1).contains("line 3 is malformed: '0,3,abc'"));
    assertTrue(message(file("resample,images,fid\n-1,3,1.5\n5,3,2.0\n"), 3, 1).contains("line 3 is malformed"));
    assertTrue(message(file("resample,images,fid\n-1,3\n0,3,2.0\n"), 3, 1).contains("line 2 is malformed"));
  }
}
