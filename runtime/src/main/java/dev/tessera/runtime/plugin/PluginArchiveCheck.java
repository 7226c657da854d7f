package dev.tessera.runtime.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Looks inside a plugin jar, zip or folder before PF4J opens it and says why it must not be
 * loaded, or returns null. It rejects:
 *
 * <ul>
 *   <li>entries that would land outside the plugin's folder when a zip is unpacked (absolute
 *       paths, {@code ..} segments, drive letters: "zip slip"). PF4J's own unzip stops at such an
 *       entry, but only after writing the entries before it;
 *   <li>bundled TensorFlow or Tessera api classes (or jars of them under {@code lib/}): PF4J loads
 *       a plugin's own classes first, so a second copy of {@code org.tensorflow} or
 *       {@code dev.tessera.api} gives classes that look the same but do not match the runtime's
 *       (LinkageError or ClassCastException later) and a second TensorFlow native library;
 *   <li>archives that would unpack to more than {@link #MAX_UNPACKED_BYTES} or hold more than
 *       {@link #MAX_ENTRIES} entries (zip bombs).
 * </ul>
 */
public final class PluginArchiveCheck {
  /** Unpacked size above which an archive is refused (the largest shipped plugin is under 40 MB). */
  public static final long MAX_UNPACKED_BYTES = 1L << 30;

  public static final int MAX_ENTRIES = 100_000;

  private static final Pattern DRIVE_LETTER = Pattern.compile("^[A-Za-z]:.*");
  private static final Pattern PROVIDED_JAR = Pattern.compile("(^|.*/)lib/(tensorflow|ndarray|tessera-api)[^/]*\\.jar");
  private static final String[] PROVIDED_PACKAGES = {"org/tensorflow/", "dev/tessera/api/"};
  private static final int MAX_FOLDER_DEPTH = 16;

  private PluginArchiveCheck() {}

  /** Why the jar, zip or folder at {@code path} must not be loaded, or null if it may be. */
  public static String problem(Path path) {
    return problem(path, MAX_UNPACKED_BYTES, MAX_ENTRIES);
  }

  /** As {@link #problem(Path)} with other limits (tests use small ones). */
  static String problem(Path path, long maxUnpackedBytes, int maxEntries) {
    if (Files.isDirectory(path)) {
      return folderProblem(path);
    }
    try (ZipFile zip = new ZipFile(path.toFile())) {
      long unpacked = 0;
      int count = 0;
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        String why = entryProblem(entry.getName());
        if (why != null) {
          return why;
        }
        if (++count > maxEntries) {
          return "holds more than " + maxEntries + " entries";
        }
        long size = entry.getSize(); // -1 when unknown; PF4J's unzip would still write it
        unpacked += Math.max(size, entry.getCompressedSize());
        if (unpacked > maxUnpackedBytes) {
          return "would unpack to more than " + maxUnpackedBytes + " bytes (a zip bomb?)";
        }
      }
      return null;
    } catch (ZipException e) {
      return null; // not a zip at all: PF4J reports it as "not a plugin", with its own reason
    } catch (IOException e) {
      return "cannot be read: " + e.getMessage();
    }
  }

  /** The problem with one entry name of an archive, or null. */
  static String entryProblem(String name) {
    String unified = name.replace('\\', '/');
    if (unified.startsWith("/") || DRIVE_LETTER.matcher(unified).matches()) {
      return "entry '" + name + "' has an absolute path (path traversal)";
    }
    for (String segment : unified.split("/")) {
      if (segment.equals("..")) {
        return "entry '" + name + "' would be written outside the plugin's folder (path traversal)";
      }
    }
    String stripped = unified.startsWith("classes/") ? unified.substring("classes/".length()) : unified;
    for (String pkg : PROVIDED_PACKAGES) {
      if (stripped.startsWith(pkg) && stripped.endsWith(".class")) {
        return bundles(pkg, name);
      }
    }
    if (PROVIDED_JAR.matcher(unified.toLowerCase(Locale.ROOT)).matches()) {
      return bundles(unified.toLowerCase(Locale.ROOT).contains("tessera-api") ? "dev/tessera/api/" : "org/tensorflow/", name);
    }
    return null;
  }

  /**
   * Why a jar a plugin carries (under {@code lib/}) must not be on its class path, or null: it holds
   * TensorFlow or api classes, whatever the jar is called. Both the central directory (what a class
   * loader reads) and the local headers are read, so neither can hide a class from the other.
   */
  static String jarProblem(Path jar, int maxEntries) {
    String name = jar.getFileName().toString();
    java.util.List<String> entries = new java.util.ArrayList<>();
    try {
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        zip.stream().limit(maxEntries + 1L).forEach(e -> entries.add(e.getName()));
      }
      try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(jar))) {
        for (ZipEntry e = in.getNextEntry(); e != null && entries.size() <= 2L * maxEntries + 1; e = in.getNextEntry()) {
          entries.add(e.getName());
        }
      }
    } catch (IOException e) {
      return name + " is not a readable jar: " + e.getMessage();
    }
    if (entries.size() > 2L * maxEntries) {
      return name + " holds more than " + maxEntries + " entries";
    }
    return entries.stream().map(e -> nestedProblem(name, e)).filter(java.util.Objects::nonNull).findFirst().orElse(null);
  }

  private static String nestedProblem(String jar, String entry) {
    String unified = entry.replace('\\', '/');
    for (String pkg : PROVIDED_PACKAGES) {
      if (unified.startsWith(pkg) && unified.endsWith(".class")) {
        return bundles(pkg, jar + "!/" + entry);
      }
    }
    return null;
  }

  private static String bundles(String pkg, String entry) {
    String what = pkg.startsWith("org/tensorflow") ? "TensorFlow" : "the Tessera api";
    String dependency = pkg.startsWith("org/tensorflow") ? "org.tensorflow" : "dev.tessera:tessera-api";
    return "bundles " + what + " classes (" + entry + "); they come from the runtime: declare " + dependency
        + " with <scope>provided</scope> and rebuild the plugin";
  }

  private static String folderProblem(Path dir) {
    try (Stream<Path> files = Files.walk(dir, MAX_FOLDER_DEPTH)) {
      return files
          .filter(Files::isRegularFile)
          .map(f -> {
            String why = entryProblem(dir.relativize(f).toString());
            boolean jar = f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar");
            return why != null || !jar ? why : jarProblem(f, PluginUnpacker.MAX_NESTED_ENTRIES);
          })
          .filter(java.util.Objects::nonNull)
          .findFirst()
          .orElse(null);
    } catch (IOException | java.io.UncheckedIOException e) {
      return "cannot be read: " + e.getMessage();
    }
  }
}
