package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one rule for output folders: new or empty, or --overwrite which replaces only the command's own files; never an input. */
class OutputFolderTest {
  static final List<String> OURS = List.of("manifest.json", "images/[0-9]*.png");

  @TempDir Path tmp;

  @Test
  void aNewFolderIsCreatedOnlyWhenPrepared() {
    Path dir = tmp.resolve("a/b");
    OutputFolder f = OutputFolder.check(dir, "--output-dir", false, OURS);
    assertFalse(Files.exists(dir), "check creates nothing");
    assertEquals(dir, f.prepare());
    assertTrue(Files.isDirectory(dir));
  }

  @Test
  void anEmptyFolderIsUsed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("empty"));
    OutputFolder.check(dir, "--output-dir", false, OURS).prepare();
    assertTrue(Files.isDirectory(dir));
  }

  @Test
  void aFolderThatHoldsAnythingIsRefusedWithoutOverwriteAndNothingChanges() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("used"));
    Files.writeString(dir.resolve("notes.txt"), "mine");
    TesseraException e = assertThrows(TesseraException.class, () -> OutputFolder.check(dir, "--output-dir", false, OURS));
    assertTrue(e.getMessage().startsWith("--output-dir " + dir + " is not empty (1 file(s)): choose another folder, or pass --overwrite"),
        e.getMessage());
    assertEquals("mine", Files.readString(dir.resolve("notes.txt")));

    Files.createDirectories(dir.resolve("images"));
    Path earlier = tmp.resolve("earlier");
    Files.createDirectories(earlier.resolve("images"));
    Files.writeString(earlier.resolve("manifest.json"), "{}");
    Files.writeString(earlier.resolve("images/0000.png"), "x");
    e = assertThrows(TesseraException.class, () -> OutputFolder.check(earlier, "--output-dir", false, OURS));
    assertTrue(e.getMessage().contains("holds the results of an earlier run (2 file(s))"), e.getMessage());
  }

  @Test
  void overwriteDeletesOnlyTheCommandsOwnFiles() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("used"));
    Files.createDirectories(dir.resolve("images"));
    Files.createDirectories(dir.resolve("old"));
    Files.writeString(dir.resolve("manifest.json"), "{}");
    Files.writeString(dir.resolve("images/0000.png"), "x");
    Files.writeString(dir.resolve("images/0001.png"), "x");
    Files.writeString(dir.resolve("images/mine.png"), "mine");
    Files.writeString(dir.resolve("notes.txt"), "mine");
    Files.writeString(dir.resolve("old/0000.png"), "mine");
    OutputFolder.check(dir, "--output-dir", true, OURS).prepare();
    assertFalse(Files.exists(dir.resolve("manifest.json")));
    assertFalse(Files.exists(dir.resolve("images/0000.png")));
    assertFalse(Files.exists(dir.resolve("images/0001.png")));
    assertEquals("mine", Files.readString(dir.resolve("images/mine.png")));
    assertEquals("mine", Files.readString(dir.resolve("notes.txt")));
    assertEquals("mine", Files.readString(dir.resolve("old/0000.png")));

    Path only = Files.createDirectories(tmp.resolve("only/images"));
    Files.writeString(only.resolve("0000.png"), "x");
    OutputFolder.check(only.getParent(), "--output-dir", true, OURS).prepare();
    assertFalse(Files.exists(only), "a folder the command's files left empty goes too");
    assertTrue(Files.isDirectory(only.getParent()));
  }

  @Test
  void aFileABlankNameAndAnInputAreRefused() throws Exception {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertTrue(assertThrows(TesseraException.class, () -> OutputFolder.check(file, "--output-dir", true, OURS)).getMessage()
        .contains("is a file, not a folder"));
    assertEquals("--output-dir is empty: name a folder",
        assertThrows(TesseraException.class, () -> OutputFolder.check(Path.of(""), "--output-dir", true, OURS)).getMessage());
    Path in0 = Files.createDirectories(tmp.resolve("in0"));
    Files.writeString(in0.resolve("x"), "x");
    assertTrue(assertThrows(TesseraException.class, () -> OutputFolder.at(in0, "--output-dir", false, OURS).notOverlapping(in0, "--input")
        .check()).getMessage().contains("are the same folder"), "overlap is named before emptiness");

    Path in = Files.createDirectories(tmp.resolve("in"));
    Files.writeString(in.resolve("0000.png"), "original");
    for (Path out : List.of(in, in.resolve("sub"), tmp, tmp.resolve("in/../in"))) {
      TesseraException e = assertThrows(TesseraException.class,
          () -> OutputFolder.at(out, "--output-dir", true, OURS).notOverlapping(in, "--input").check(), out.toString());
      assertTrue(e.getMessage().contains("--input " + in), e.getMessage());
    }
    Path link = Files.createSymbolicLink(tmp.resolve("link"), in);
    assertTrue(assertThrows(TesseraException.class, () -> OutputFolder.at(link, "--output-dir", false, OURS).notOverlapping(in, "--input").check())
        .getMessage().contains("are the same folder"));
    assertEquals("original", Files.readString(in.resolve("0000.png")));
    OutputFolder.at(tmp.resolve("elsewhere"), "--output-dir", false, OURS).notOverlapping(in, "--input").check();
  }
}
