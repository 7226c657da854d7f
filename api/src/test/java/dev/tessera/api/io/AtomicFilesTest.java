package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path tmp;

  @Test
  void writesUtf8IntoNewFoldersAndReplacesWithoutLeavingTemporaryFiles() throws Exception {
    Path file = tmp.resolve("a/b/out.csv");
    AtomicFiles.writeString(file, "first\n");
    AtomicFiles.writeString(file, "second ü\n");
    assertEquals("second ü\n", Files.readString(file, StandardCharsets.UTF_8));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(1, files.count(), "no temporary file left");
    }
  }

  @Test
  void aFolderInTheWayIsAnErrorNamingTheFile() throws Exception {
    Path file = tmp.resolve("taken");
    Files.createDirectories(file.resolve("child"));
    TesseraException e = assertThrows(TesseraException.class, () -> AtomicFiles.writeString(file, "x"));
    assertTrue(e.getMessage().contains("taken"), e.getMessage());
    assertTrue(Files.isDirectory(file), "the folder is untouched");
  }
}
