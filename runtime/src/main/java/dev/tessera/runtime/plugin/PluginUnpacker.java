package dev.tessera.runtime.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Unpacks a plugin zip into the folder of the same name, reading the same bytes it checks. PF4J's
 * own unzip reads the entries' local headers while a check of the central directory (what {@code
 * ZipFile} lists) sees another list: an entry left out of the directory was never checked, and a
 * size the directory understates was never counted. Here every entry is checked
 * ({@link PluginArchiveCheck#entryProblem}) as it is streamed from its local header, the entry
 * count and the bytes written are limited while writing, and a jar under {@code lib/} is looked
 * into for TensorFlow or api classes.
 *
 * <p>The zip is unpacked into a hidden staging folder beside it, which is renamed into place only
 * when everything passed, so a refused or interrupted unpack never leaves a folder that would load
 * as a plugin. The folder carries a {@value #MARKER} file naming the zip's SHA-256: it is reused
 * while the zip is unchanged and replaced when it changes. A folder of that name without the
 * marker is not Tessera's and is never deleted or overwritten: the zip is refused instead.
 */
final class PluginUnpacker {
  static final String MARKER = ".tessera-unpacked";
  static final int MAX_NESTED_ENTRIES = 100_000;

  /** Why an archive was refused, in the words of {@link PluginArchiveCheck}. */
  static final class Refused extends Exception {
    Refused(String why) {
      super(why);
    }
  }

  private PluginUnpacker() {}

  static Path unpack(Path zip) throws IOException, Refused {
    return unpack(zip, PluginArchiveCheck.MAX_UNPACKED_BYTES, PluginArchiveCheck.MAX_ENTRIES);
  }

  /** As {@link #unpack(Path)} with other limits (tests use small ones). */
  static Path unpack(Path zip, long maxBytes, int maxEntries) throws IOException, Refused {
    String name = zip.getFileName().toString();
    Path target = zip.resolveSibling(name.substring(0, name.length() - ".zip".length()));
    String stamp = sha256(zip);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      Path marker = target.resolve(MARKER);
      if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
        throw new Refused("cannot be unpacked: " + target.getFileName() + " is in the way and was not unpacked by Tessera (no " + MARKER
            + "); move it away (nothing was changed)");
      }
      if (Files.readString(marker, StandardCharsets.UTF_8).strip().equals(stamp)) {
        return target;
      }
    }
    String stagingPrefix = "." + target.getFileName() + ".unpacking-";
    try (Stream<Path> stale = Files.list(zip.getParent())) {
      // A run killed while unpacking this zip left its staging folder: Tessera's own, by its name.
      for (Path p : stale.filter(p -> p.getFileName().toString().startsWith(stagingPrefix)).toList()) {
        deleteTree(p);
      }
    }
    Path staging = Files.createTempDirectory(zip.getParent(), stagingPrefix);
    try {
      expand(zip, staging, maxBytes, maxEntries);
      Files.writeString(staging.resolve(MARKER), stamp + "\n", StandardCharsets.UTF_8);
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(target); // Tessera's own earlier unpacking of an older zip (the marker says so)
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } finally {
      if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(staging);
      }
    }
  }

  private static void expand(Path zip, Path into, long maxBytes, int maxEntries) throws IOException, Refused {
    long written = 0;
    int entries = 0;
    byte[] buffer = new byte[64 * 1024];
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        String why = PluginArchiveCheck.entryProblem(e.getName());
        if (why != null) {
          throw new Refused(why);
        }
        if (++entries > maxEntries) {
          throw new Refused("holds more than " + maxEntries + " entries");
        }
        Path out = into.resolve(e.getName().replace('\\', '/')).normalize();
        if (!out.startsWith(into) || out.equals(into)) {
          throw new Refused("entry '" + e.getName() + "' would be written outside the plugin's folder (path traversal)");
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (OutputStream o = Files.newOutputStream(out, java.nio.file.StandardOpenOption.CREATE_NEW)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            written += n;
            if (written > maxBytes) {
              throw new Refused("would unpack to more than " + maxBytes + " bytes (a zip bomb?)");
            }
            o.write(buffer, 0, n);
          }
        } catch (java.nio.file.FileAlreadyExistsException dup) {
          throw new Refused("entry '" + e.getName() + "' appears twice");
        }
        String lower = e.getName().replace('\\', '/').toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jar")) {
          String nested = PluginArchiveCheck.jarProblem(out, MAX_NESTED_ENTRIES);
          if (nested != null) {
            throw new Refused(nested);
          }
        }
      }
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      throw new Refused("cannot be unpacked: damaged zip (" + (e.getMessage() == null ? "it ends early" : e.getMessage()) + ")");
    }
    if (entries == 0) {
      throw new Refused("cannot be unpacked: no zip entries");
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
