package dev.tessera.api.io;

import dev.tessera.api.TesseraException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one rule for every command that writes a folder of results ({@code generate}, {@code compare},
 * {@code reconstruct}, {@code import}, {@code train}, {@code bench --profile}):
 *
 * <ul>
 *   <li>a folder that does not exist is created; an empty one is used;
 *   <li>a folder that holds anything is refused unless the user passed {@code --overwrite};
 *   <li>{@code --overwrite} deletes only the files this command itself writes (its {@link #owns
 *       patterns}, such as {@code images/[0-9][0-9][0-9][0-9].png}), never anything else: other files
 *       stay where they are;
 *   <li>a folder that is, holds or lies inside one of the command's inputs is refused, with or
 *       without {@code --overwrite}, so results never replace what they were made from.
 * </ul>
 *
 * {@link #check} (after {@link #notOverlapping}) runs before any work, so a refused folder costs nothing; {@link #prepare} runs just
 * before the first file is written, so a run that fails before then leaves the old results as they
 * were.
 */
public final class OutputFolder {
  private final Path dir;
  private final String option;
  private final boolean overwrite;
  private final List<String> patterns;

  private OutputFolder(Path dir, String option, boolean overwrite, List<String> patterns) {
    this.dir = dir;
    this.option = option;
    this.overwrite = overwrite;
    this.patterns = patterns;
  }

  /**
   * The folder {@code dir} under the rule above, not yet checked: name its inputs with {@link
   * #notOverlapping}, then {@link #check} it. Nothing is created or deleted yet.
   *
   * @param option the flag that named the folder, for messages ("--output-dir")
   * @param patterns glob patterns, relative to the folder, of every file the command writes
   */
  public static OutputFolder at(Path dir, String option, boolean overwrite, List<String> patterns) {
    if (dir == null || dir.toString().isBlank()) {
      throw new TesseraException(option + " is empty: name a folder");
    }
    return new OutputFolder(dir, option, overwrite, List.copyOf(patterns));
  }

  /** {@code at(...).check()}: for commands whose output can meet none of their inputs. */
  public static OutputFolder check(Path dir, String option, boolean overwrite, List<String> patterns) {
    return at(dir, option, overwrite, patterns).check();
  }

  /** Checks that the folder may be written under the rule above; creates and deletes nothing. */
  public OutputFolder check() {
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
      throw new TesseraException(option + " " + dir + " is a file, not a folder");
    }
    if (Files.isDirectory(dir)) {
      if (!Files.isWritable(dir)) {
        throw new TesseraException(option + " " + dir + ": cannot write there (permission denied)");
      }
      List<Path> entries = entries();
      if (!entries.isEmpty() && !overwrite) {
        List<Path> ours = owned();
        String what = ours.size() == entries.size() ? "holds the results of an earlier run" : "is not empty";
        throw new TesseraException(option + " " + dir + " " + what + " (" + entries.size() + " file(s)): choose another folder, or pass "
            + "--overwrite to replace the " + ours.size() + " file(s) this command writes there (nothing else is touched)");
      }
    } else {
      Path parent = existingAncestor(dir.toAbsolutePath());
      if (parent != null && !Files.isWritable(parent)) {
        throw new TesseraException(option + " " + dir + ": cannot create it, " + parent + " is not writable (permission denied)");
      }
    }
    return this;
  }

  /**
   * Refuses the folder when it is, holds or lies inside {@code input} (compared as real paths, so a
   * symbolic link or {@code ..} is no way round it).
   */
  public OutputFolder notOverlapping(Path input, String inputOption) {
    if (input == null) {
      return this;
    }
    Path in = real(input);
    Path out = real(dir);
    if (in.equals(out) || out.startsWith(in) || in.startsWith(out)) {
      throw new TesseraException(option + " " + dir + " and " + inputOption + " " + input
          + (in.equals(out) ? " are the same folder" : " overlap") + ": results would be written among the originals; choose another " + option);
    }
    return this;
  }

  /**
   * Creates the folder, and under {@code --overwrite} deletes the files a previous run of this
   * command wrote there (the pattern matches) and the folders that leaves empty. Returns the folder.
   */
  public Path prepare() {
    try {
      Files.createDirectories(dir);
      if (overwrite) {
        List<Path> ours = owned();
        for (Path p : ours) {
          Files.deleteIfExists(p);
        }
        removeEmptyFoldersLeftBy(ours);
      } else if (!entries().isEmpty()) {
        // Something appeared between check and prepare: still never overwrite it.
        throw new TesseraException(option + " " + dir + " is no longer empty: choose another folder or pass --overwrite");
      }
    } catch (IOException e) {
      throw new TesseraException(option + " " + dir + ": " + IoFailures.describe(e), e);
    }
    return dir;
  }

  public Path dir() {
    return dir;
  }

  /** The files (not folders) under the folder. */
  private List<Path> entries() {
    try (Stream<Path> s = Files.walk(dir.toRealPath())) {
      return s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new TesseraException(option + " " + dir + ": cannot list it: " + e.getMessage(), e);
    }
  }

  /** The files under the folder that this command writes. */
  private List<Path> owned() {
    List<PathMatcher> matchers = new ArrayList<>();
    for (String p : patterns) {
      matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + p));
    }
    List<Path> out = new ArrayList<>();
    Path root = real(dir);
    for (Path p : entries()) {
      Path rel = root.relativize(p);
      if (matchers.stream().anyMatch(m -> m.matches(rel))) {
        out.add(p);
      }
    }
    return out;
  }

  private void removeEmptyFoldersLeftBy(List<Path> deleted) throws IOException {
    List<Path> parents = new ArrayList<>();
    for (Path p : deleted) {
      Path root = real(dir);
      for (Path q = p.getParent(); q != null && !q.equals(root) && q.startsWith(root); q = q.getParent()) {
        if (!parents.contains(q)) {
          parents.add(q);
        }
      }
    }
    parents.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path q : parents) {
      try {
        Files.deleteIfExists(q);
      } catch (DirectoryNotEmptyException e) {
        // It holds something this command did not write: it stays.
      }
    }
  }

  private static Path existingAncestor(Path p) {
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.exists(q)) {
        return q;
      }
    }
    return null;
  }

  /** The real path of {@code p}, or of its nearest existing ancestor with the rest appended. */
  private static Path real(Path p) {
    try {
      Path abs = p.toAbsolutePath().normalize();
      Path existing = existingAncestor(abs);
      if (existing == null) {
        return abs;
      }
      return existing.toRealPath().resolve(existing.relativize(abs));
    } catch (IOException | InvalidPathException e) {
      return p.toAbsolutePath().normalize();
    }
  }
}
