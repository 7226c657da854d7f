package dev.tessera.runtime.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.pf4j.PluginRepository;

/**
 * The plugin paths of one folder, as PF4J's default repositories list them (jars, folders, zips
 * unpacked into a folder of the same name), except that every candidate goes through
 * {@link PluginArchiveCheck} first: a rejected zip is never unpacked, a rejected jar or folder
 * never reaches a class loader. {@link #rejected()} says which and why.
 */
final class CheckedPluginRepository implements PluginRepository {
  private final Path dir;
  private final Map<Path, String> rejected = new LinkedHashMap<>();

  CheckedPluginRepository(Path dir) {
    this.dir = dir;
  }

  /** Rejected paths (absolute, normalised) and the reason, from the last {@link #getPluginPaths}. */
  Map<Path, String> rejected() {
    return rejected;
  }

  @Override
  public List<Path> getPluginPaths() {
    rejected.clear();
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      return List.of(); // PluginRuntime reports an unreadable folder itself
    }
    Set<Path> paths = new LinkedHashSet<>();
    for (Path p : files) {
      String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
      boolean zip = name.endsWith(".zip") && Files.isRegularFile(p);
      boolean jar = name.endsWith(".jar") && Files.isRegularFile(p);
      if (!zip && !jar && !Files.isDirectory(p)) {
        continue;
      }
      if (Files.isDirectory(p) && isUnpackedZip(p)) {
        continue; // listed through its zip below, or left alone if the zip was rejected
      }
      String problem = PluginArchiveCheck.problem(p);
      if (problem != null) {
        rejected.put(p.toAbsolutePath().normalize(), problem);
        continue;
      }
      if (zip) {
        try {
          paths.add(PluginUnpacker.unpack(p));
        } catch (PluginUnpacker.Refused e) {
          rejected.put(p.toAbsolutePath().normalize(), e.getMessage());
        } catch (IOException | RuntimeException e) {
          rejected.put(p.toAbsolutePath().normalize(), "cannot be unpacked: " + PluginRuntime.describe(e));
        }
      } else {
        paths.add(p);
      }
    }
    return new ArrayList<>(paths);
  }

  static boolean isUnpackedZip(Path p) {
    String name = p.getFileName().toString();
    return Files.isRegularFile(p.resolveSibling(name + ".zip")) || Files.isRegularFile(p.resolveSibling(name + ".ZIP"));
  }

  @Override
  public boolean deletePluginPath(Path pluginPath) {
    return false; // Tessera never deletes a user's plugin files
  }
}
