package dev.tessera.runtime.plugin;

import java.nio.file.Path;
import java.util.List;

/**
 * What happened to one plugin (or one file in the plugins folder that did not load).
 *
 * @param id plugin id, or the file name when it is not a plugin
 * @param state STARTED, FAILED, DISABLED, NOT_LOADED, ...
 * @param problem why it is not usable, or a warning (no extensions); null when all is well
 * @param extensions "kind name" of each extension found
 */
public record PluginReport(String id, String version, Path path, String state, String problem, List<String> extensions) {
  public boolean ok() {
    return "STARTED".equals(state) && problem == null;
  }
}
