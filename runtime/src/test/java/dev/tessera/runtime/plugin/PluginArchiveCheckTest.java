package dev.tessera.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginArchiveCheckTest {
  @TempDir Path dir;

  @Test
  void entriesEscapingTheFolderAreRejected() {
    for (String name : new String[] {"../evil.txt", "classes/../../evil.txt", "..\\evil.txt", "/etc/cron.d/x", "\\x", "C:/Windows/x", "a/./../../b"}) {
      String why = PluginArchiveCheck.entryProblem(name);
      assertNotNull(why, name);
      assertTrue(why.contains("path traversal") && why.contains(name), why);
    }
  }

  @Test
  void bundledTensorFlowOrApiClassesAreRejectedWithTheFix() {
    for (String name : new String[] {"org/tensorflow/Graph.class", "classes/org/tensorflow/op/Ops.class", "lib/tensorflow-core-api-1.1.0.jar",
        "lib/ndarray-1.0.0.jar", "dev/tessera/api/spi/Decoder.class", "lib/tessera-api-0.1.0.jar"}) {
      String why = PluginArchiveCheck.entryProblem(name);
      assertNotNull(why, name);
      assertTrue(why.contains("bundles") && why.contains("provided") && why.contains(name), why);
    }
  }

  @Test
  void ordinaryEntriesPass() {
    for (String name : new String[] {"META-INF/MANIFEST.MF", "dev/tessera/plugins/x/X.class", "classes/a/B.class", "lib/commons-math3-3.6.1.jar",
        "a..b/c.txt", "weights/model.safetensors", "org/tensorflowish/X.class", "org/tensorflow/README.txt"}) {
      assertNull(PluginArchiveCheck.entryProblem(name), name);
    }
  }

  @Test
  void archivesOverTheSizeOrEntryLimitAreRejected() throws IOException {
    Path zip = zip("big.zip", "a.txt", "b.txt", "c.txt");
    assertNull(PluginArchiveCheck.problem(zip, 1 << 20, 10));
    assertTrue(PluginArchiveCheck.problem(zip, 1 << 20, 2).contains("more than 2 entries"));
    assertTrue(PluginArchiveCheck.problem(zip, 10, 10).contains("zip bomb"));
  }

  @Test
  void foldersAreCheckedLikeArchives() throws IOException {
    Path plugin = Files.createDirectories(dir.resolve("p/classes/org/tensorflow"));
    Files.writeString(plugin.resolve("Graph.class"), "x");
    assertTrue(PluginArchiveCheck.problem(dir.resolve("p")).contains("TensorFlow"));
    Files.delete(plugin.resolve("Graph.class"));
    assertNull(PluginArchiveCheck.problem(dir.resolve("p")));
  }

  @Test
  void aFileThatIsNotAZipIsLeftToPf4jToReport() throws IOException {
    assertNull(PluginArchiveCheck.problem(Files.writeString(dir.resolve("x.jar"), "not a zip")));
  }

  private Path zip(String file, String... entries) throws IOException {
    Path zip = dir.resolve(file);
    try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
      for (String e : entries) {
        z.putNextEntry(new ZipEntry(e));
        z.write(("contents of " + e + "\n").repeat(4).getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return zip;
  }
}
