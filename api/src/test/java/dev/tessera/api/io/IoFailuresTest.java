package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** The cause a user can act on, not the wrapper's words or a bare path. */
class IoFailuresTest {
  @Test
  void theDeepestCauseThatSaysSomethingIsNamed() {
    // ImageIO's wrapper on a full disk: what issue 21 saw as the whole message.
    assertEquals("No space left on device",
        IoFailures.describe(new javax.imageio.IIOException("I/O error writing PNG file!", new IOException("No space left on device"))));
    assertEquals("permission denied", IoFailures.describe(new AccessDeniedException("/out/images")));
    assertEquals("no such file or folder", IoFailures.describe(new NoSuchFileException("/nope")));
    assertEquals("Read-only file system", IoFailures.describe(new FileSystemException("/out", null, "Read-only file system")));
    assertEquals("I/O error writing PNG file!", IoFailures.describe(new javax.imageio.IIOException("I/O error writing PNG file!")));
    assertEquals("IOException", IoFailures.describe(new IOException()));
  }
}
