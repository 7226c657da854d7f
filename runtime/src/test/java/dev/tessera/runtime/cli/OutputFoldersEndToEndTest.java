package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.io.PngImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing a user did not ask Tessera to write is overwritten or deleted (issue 21, data loss): every
 * command that writes a folder refuses a used one without --overwrite, --overwrite replaces only
 * the command's own files, results never land among their inputs, and setup never deletes a folder.
 */
class OutputFoldersEndToEndTest {
  @TempDir Path tmp;
  Path plugins;
  Path images;
  Path run;

  CliRun cli(String... args) {
    return CliRun.run(plugins, args);
  }

  @BeforeEach
  void setUp() throws Exception {
    plugins = TinyCli.tinyPlugin(tmp.resolve("plugins"));
    // An input named like a file reconstruct writes: it must neither be overwritten nor overwrite the report.
    images = TinyCli.randomPngs(tmp.resolve("images"), "a.png", "comparison.png", "fid-bootstrap.png");
    run = tmp.resolve("run");
    CliRun t = cli("train", "tiny", "--dataset", images.toString(), "--steps", "1", "--output-dir", run.toString());
    assertEquals(0, t.exit(), t.err());
  }

  /** Every file under {@code dir} and its bytes, to show a refused command changed nothing. */
  static Map<String, String> snapshot(Path dir) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return m;
  }

  static void assertOneLineError(CliRun r, String expected) {
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.err().startsWith("error: ") && r.err().contains(expected), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void setupNeverDeletesAFolderItDidNotCreate() throws Exception {
    Path mine = Files.createDirectories(tmp.resolve("mine"));
    Files.writeString(mine.resolve("notes.txt"), "my notes");
    Map<String, String> before = snapshot(tmp);
    CliRun r = cli("setup", "twemoji", "--dir", mine.toString());
    assertOneLineError(r, "is not empty and holds no Twemoji setup (no emoji.json): choose an empty or new folder (nothing was changed)");
    Path file = Files.writeString(tmp.resolve("afile"), "mine");
    assertOneLineError(cli("setup", "twemoji", "--dir", file.toString()), "exists and is not a folder");
    assertOneLineError(cli("setup", "twemoji", "--dir", ""), "--dir is empty");
    Files.delete(file);
    assertEquals(before, snapshot(tmp));
  }

  @Test
  void reconstructNeverWritesAmongItsInputs() throws Exception {
    Map<String, String> before = snapshot(images);
    for (String[] extra : List.of(new String[0], new String[] {"--overwrite"})) {
      for (Path out : List.of(images, images.resolve("sub"), tmp)) {
        List<String> args = new java.util.ArrayList<>(List.of("reconstruct", "--model", "tiny", "--weights", run.toString(), "--input",
            images.toString(), "--output-dir", out.toString()));
        args.addAll(List.of(extra));
        CliRun r = cli(args.toArray(String[]::new));
        assertEquals(1, r.exit(), out + " " + List.of(extra));
        assertTrue(r.err().contains(out.equals(images) ? "are the same folder" : "overlap"),
            r.err());
      }
    }
    assertEquals(before, snapshot(images), "the originals are untouched");
    assertFalse(Files.exists(images.resolve("sub")));

    Path out = tmp.resolve("recon");
    CliRun ok = cli("reconstruct", "--model", "tiny", "--weights", run.toString(), "--input", images.toString(), "--output-dir", out.toString());
    assertEquals(0, ok.exit(), ok.err());
    assertEquals(before, snapshot(images));
    assertEquals(4, PngImages.read(out.resolve("images/comparison.png"), 1).height(), "the reconstruction of comparison.png");
    assertTrue(PngImages.read(out.resolve("comparison.png"), 1).width() > 4 * 4, "the side-by-side grid, beside it");
  }

  @Test
  void aUsedFolderIsRefusedAndOverwriteReplacesOnlyTheCommandsFiles() throws Exception {
    Path out = tmp.resolve("recon");
    String[] args = {"reconstruct", "--model", "tiny", "--weights", run.toString(), "--input", images.toString(), "--output-dir", out.toString()};
    assertEquals(0, cli(args).exit());
    Files.writeString(out.resolve("notes.txt"), "mine");
    Files.writeString(out.resolve("images/notes.txt"), "mine");
    Map<String, String> before = snapshot(out);
    assertOneLineError(cli(args), "--output-dir " + out + " is not empty (6 file(s)): choose another folder, or pass --overwrite to replace "
        + "the 4 file(s) this command writes there (nothing else is touched)");
    assertEquals(before, snapshot(out));

    // Fewer inputs the second time: the old reconstructions go, the user's files stay.
    Path fewer = tmp.resolve("fewer");
    Files.createDirectories(fewer);
    Files.copy(images.resolve("a.png"), fewer.resolve("b.png"));
    List<String> again = new java.util.ArrayList<>(List.of(args));
    again.set(6, fewer.toString());
    again.add("--overwrite");
    CliRun r = cli(again.toArray(String[]::new));
    assertEquals(0, r.exit(), r.err());
    try (Stream<Path> s = Files.list(out.resolve("images"))) {
      assertEquals(List.of("b.png", "notes.txt"), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals("mine", Files.readString(out.resolve("notes.txt")));
  }

  @Test
  void trainRefusesAFolderOfOtherFilesAndOverwriteKeepsThem() throws Exception {
    Path mine = Files.createDirectories(tmp.resolve("mine"));
    Files.writeString(mine.resolve("config.json"), "{\"mine\": true}");
    Files.writeString(mine.resolve("notes.txt"), "my notes");
    Map<String, String> before = snapshot(mine);
    assertOneLineError(cli("train", "tiny", "--dataset", images.toString(), "--steps", "1", "--output-dir", mine.toString()),
        "--output-dir " + mine + " is not empty (2 file(s))");
    assertEquals(before, snapshot(mine));

    CliRun again = cli("train", "tiny", "--dataset", images.toString(), "--steps", "1", "--output-dir", run.toString());
    assertOneLineError(again, "already holds a checkpoint: pass --resume to continue it, --overwrite to start again");
    assertOneLineError(cli("train", "tiny", "--dataset", images.toString(), "--steps", "2", "--resume", "--overwrite", "--output-dir", run.toString()),
        "give one of them");
    Files.writeString(run.resolve("notes.txt"), "my notes");
    CliRun fresh = cli("train", "tiny", "--dataset", images.toString(), "--steps", "2", "--overwrite", "--output-dir", run.toString());
    assertEquals(0, fresh.exit(), fresh.err());
    assertFalse(fresh.out().contains("resumed"), fresh.out());
    assertEquals("my notes", Files.readString(run.resolve("notes.txt")));
    List<String> log = Files.readAllLines(run.resolve("train-log.csv"));
    assertTrue(log.get(0).startsWith("step,loss") && log.subList(1, log.size()).stream().noneMatch(l -> l.startsWith("1,"))
        && log.get(log.size() - 1).startsWith("2,"), "a new log, not the old one appended to: " + log);

    // --out, the older name, still works and says it is deprecated.
    CliRun old = cli("train", "tiny", "--dataset", images.toString(), "--steps", "3", "--resume", "--out", run.toString());
    assertEquals(0, old.exit(), old.err());
    assertTrue(old.err().contains("warning: train --out is deprecated: use --output-dir"), old.err());
  }

  @Test
  void compareRefusesAPipelineLabelThatLeavesTheReportFolder() throws Exception {
    Path out = tmp.resolve("report");
    for (String file : List.of("...json", ".json", "x/..json", ".hidden.json")) {
      CliRun r = cli("compare", "--pipelines", file, "--output-dir", out.toString());
      assertOneLineError(r, "a pipeline file's name (without .json) labels its results folder");
    }
    assertFalse(Files.exists(out));
  }
}
