package dev.tessera.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin zips are unpacked by reading the bytes that are checked (issue 21, item 7): each case
 * first shows that the central-directory check alone lets the zip through, then that the
 * unpacking refuses it and leaves nothing behind that could load as a plugin.
 */
class PluginUnpackerTest {
  @TempDir Path dir;

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Map<String, byte[]> entries(Object... nameThenContent) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenContent.length; i += 2) {
      m.put((String) nameThenContent[i], (byte[]) nameThenContent[i + 1]);
    }
    return m;
  }

  /** What the folder holds besides the zips: nothing after a refusal (no half-unpacked plugin, no staging folder). */
  List<String> leftovers() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".zip")).sorted().toList();
    }
  }

  String refused(Path zip, long maxBytes, int maxEntries) {
    return assertThrows(PluginUnpacker.Refused.class, () -> PluginUnpacker.unpack(zip, maxBytes, maxEntries)).getMessage();
  }

  @Test
  void aClassHiddenFromTheCentralDirectoryIsFoundWhileUnpacking() throws Exception {
    byte[] zip = HostileZips.hideFromCentralDirectory(
        HostileZips.zip(entries("plugin.properties", text("plugin.id=p"), "classes/org/tensorflow/Session.class", text("x"))),
        "classes/org/tensorflow/Session.class");
    Path file = Files.write(dir.resolve("hidden.zip"), zip);
    assertNull(PluginArchiveCheck.problem(file), "the central directory does not list it");
    assertTrue(refused(file, 1 << 20, 100).startsWith("bundles TensorFlow classes (classes/org/tensorflow/Session.class)"));
    assertEquals(List.of(), leftovers());
  }

  @Test
  void sizesTheCentralDirectoryUnderstatesAreCountedAsWritten() throws Exception {
    byte[] mib = new byte[1 << 20];
    byte[] zip = HostileZips.understateSizes(HostileZips.zip(entries("a.bin", mib, "b.bin", mib, "c.bin", mib)), 1);
    Path file = Files.write(dir.resolve("bomb.zip"), zip);
    assertNull(PluginArchiveCheck.problem(file, 2 << 20, 100), "the central directory claims 3 bytes");
    assertEquals("would unpack to more than 2097152 bytes (a zip bomb?)", refused(file, 2 << 20, 100));
    assertEquals(List.of(), leftovers());
    assertEquals("holds more than 2 entries", refused(file, 8 << 20, 2));
  }

  @Test
  void aTraversalAfterGoodEntriesLeavesNoHalfUnpackedPlugin() throws Exception {
    Path file = Files.write(dir.resolve("slip.zip"),
        HostileZips.zip(entries("plugin.properties", text("plugin.id=slip"), "a.txt", text("a"), "../../slipped.txt", text("x"))));
    assertTrue(refused(file, 1 << 20, 100).contains("'../../slipped.txt' would be written outside the plugin's folder"));
    assertEquals(List.of(), leftovers(), "no 'slip' folder with plugin.properties to load on the next start");
    assertFalse(Files.exists(dir.getParent().resolve("slipped.txt")));
  }

  @Test
  void aJarUnderLibIsLookedIntoWhateverItIsCalled() throws Exception {
    byte[] innocent = HostileZips.zip(entries("META-INF/MANIFEST.MF", text("Manifest-Version: 1.0\n"), "org/tensorflow/Graph.class", text("x")));
    Path file = Files.write(dir.resolve("lib.zip"), HostileZips.zip(entries("plugin.properties", text("plugin.id=lib"), "lib/innocent.jar", innocent)));
    assertNull(PluginArchiveCheck.problem(file), "only the jar's name was checked");
    assertTrue(refused(file, 1 << 20, 100).startsWith("bundles TensorFlow classes (innocent.jar!/org/tensorflow/Graph.class)"));
    assertEquals(List.of(), leftovers());

    Path folder = Files.createDirectories(dir.resolve("folder-plugin/lib"));
    Files.write(folder.resolve("innocent.jar"), innocent);
    assertTrue(PluginArchiveCheck.problem(folder.getParent()).startsWith("bundles TensorFlow classes (innocent.jar!/"), "folder plugins too");
    byte[] hidden = HostileZips.hideFromCentralDirectory(innocent, "org/tensorflow/Graph.class");
    Files.write(folder.resolve("innocent.jar"), hidden);
    assertTrue(PluginArchiveCheck.problem(folder.getParent()).startsWith("bundles TensorFlow classes"), "local headers are read too");
  }

  @Test
  void aFolderInTheWayThatTesseraDidNotUnpackIsNeverTouched() throws Exception {
    Path file = Files.write(dir.resolve("mine.zip"), HostileZips.zip(entries("plugin.properties", text("plugin.id=mine"))));
    Path mine = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(mine.resolve("notes.txt"), "my notes");
    assertTrue(refused(file, 1 << 20, 100).contains("mine is in the way and was not unpacked by Tessera"));
    assertEquals("my notes", Files.readString(mine.resolve("notes.txt")));
    assertEquals(List.of("mine"), leftovers());
  }

  @Test
  void anUnchangedZipIsReusedAndAChangedOneReplacesItsOwnFolder() throws Exception {
    Path file = Files.write(dir.resolve("p.zip"), HostileZips.zip(entries("plugin.properties", text("plugin.id=p"), "a.txt", text("one"))));
    Path folder = PluginUnpacker.unpack(file, 1 << 20, 100);
    assertEquals(dir.resolve("p"), folder);
    assertEquals("one", Files.readString(folder.resolve("a.txt")));
    Files.writeString(folder.resolve("a.txt"), "edited");
    assertEquals(folder, PluginUnpacker.unpack(file, 1 << 20, 100));
    assertEquals("edited", Files.readString(folder.resolve("a.txt")), "the same zip: the folder is reused as it is");

    Files.write(file, HostileZips.zip(entries("plugin.properties", text("plugin.id=p"), "a.txt", text("two"))));
    PluginUnpacker.unpack(file, 1 << 20, 100);
    assertEquals("two", Files.readString(folder.resolve("a.txt")));
    assertEquals(List.of("p"), leftovers());
  }

  @Test
  void damagedZipsAreRefusedNotThrown() throws Exception {
    byte[] good = HostileZips.zip(entries("plugin.properties", text("plugin.id=d"), "a.txt", new byte[5000]));
    ByteArrayOutputStream cut = new ByteArrayOutputStream();
    cut.write(good, 0, good.length / 2);
    Path file = Files.write(dir.resolve("cut.zip"), cut.toByteArray());
    assertTrue(refused(file, 1 << 20, 100).startsWith("cannot be unpacked"));
    Path empty = Files.write(dir.resolve("empty.zip"), new byte[0]);
    assertTrue(refused(empty, 1 << 20, 100).startsWith("cannot be unpacked"));
    assertEquals(List.of(), leftovers());
  }
}
