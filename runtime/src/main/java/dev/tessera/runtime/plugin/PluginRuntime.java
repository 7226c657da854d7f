package dev.tessera.runtime.plugin;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.pf4j.DefaultPluginFactory;
import org.pf4j.DefaultPluginManager;
import org.pf4j.Plugin;
import org.pf4j.PluginFactory;
import org.pf4j.PluginRepository;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Loads PF4J plugins from a folder and collects their extensions by SPI and name. One broken
 * plugin never stops the others: a file that is not a plugin, a plugin whose start() throws, one
 * whose classes are missing or that bundles its own TensorFlow is reported with its reason and
 * skipped; archives {@link PluginArchiveCheck} rejects (path traversal, bundled TensorFlow or api,
 * zip bombs) are never unpacked or opened. Plugins are trusted code (PF4J checks no signatures):
 * only put jars you trust in the folder.
 */
public final class PluginRuntime implements AutoCloseable {
  /** The api version plugins declare in Plugin-Requires (for example {@code >=0.1.0 & <0.2.0}). */
  public static final String API_VERSION = "0.1.0";
  public static final String ENV_VAR = "TESSERA_PLUGINS_DIR";

  private static final String EXTENSIONS_INDEX = "META-INF/extensions.idx";
  private static final String NO_EXTENSIONS =
      "started but has no extensions (was the PF4J annotation processor run? META-INF/extensions.idx missing)";

  private final Path dir;
  private final RecordingPluginManager manager;
  private final List<PluginReport> reports = new ArrayList<>();
  private final Map<Class<?>, Map<String, Object>> extensions = new LinkedHashMap<>();
  private final Map<Class<?>, Map<String, String>> owners = new LinkedHashMap<>();
  private final Map<Class<?>, Map<String, String>> conflicts = new LinkedHashMap<>();

  private PluginRuntime(Path dir) {
    this.dir = dir;
    this.manager = new RecordingPluginManager(dir);
    manager.setSystemVersion(API_VERSION);
  }

  /** Loads and starts every plugin in {@code dir}; never throws for a broken plugin. */
  public static PluginRuntime load(Path dir) {
    PluginRuntime runtime = new PluginRuntime(dir);
    runtime.loadAll();
    return runtime;
  }

  private void loadAll() {
    for (Class<?> spi : Spis.ALL.keySet()) {
      extensions.put(spi, new LinkedHashMap<>());
      owners.put(spi, new LinkedHashMap<>());
      conflicts.put(spi, new LinkedHashMap<>());
    }
    if (!Files.isDirectory(dir)) {
      reports.add(new PluginReport(dir.getFileName() == null ? dir.toString() : dir.getFileName().toString(), "", dir, "NOT_LOADED",
          "plugins folder " + dir + " does not exist (build with mvn package, or pass --plugins-dir)", List.of()));
      return;
    }
    manager.loadPlugins();
    manager.startPlugins();
    Set<Path> loaded = new HashSet<>();
    for (PluginWrapper w : manager.getPlugins()) {
      loaded.add(w.getPluginPath().toAbsolutePath().normalize());
      reports.add(report(w));
    }
    // Files PF4J could not load at all (not a plugin, bad descriptor, unsafe zip).
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files.sorted()::iterator) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.startsWith(".")) {
          continue; // hidden, as the repository skips them (a zip's staging folder among them)
        }
        boolean candidate = name.endsWith(".jar") || name.endsWith(".zip") || Files.isDirectory(p);
        Path unpacked = name.endsWith(".zip") ? p.resolveSibling(p.getFileName().toString().substring(0, name.length() - 4)) : p;
        boolean reported = loaded.contains(p.toAbsolutePath().normalize()) || loaded.contains(unpacked.toAbsolutePath().normalize());
        if (!candidate || reported || (Files.isDirectory(p) && CheckedPluginRepository.isUnpackedZip(p))) {
          continue;
        }
        String rejected = manager.repository().rejected().get(p.toAbsolutePath().normalize());
        Throwable why = manager.failures.get(p.toAbsolutePath().normalize());
        String reason = rejected != null ? "rejected: " + rejected
            : why == null ? "not a plugin (no plugin descriptor)" : "not loaded: " + describe(why);
        reports.add(new PluginReport(p.getFileName().toString(), "", p, "NOT_LOADED", reason, List.of()));
      }
    } catch (IOException e) {
      reports.add(new PluginReport(dir.toString(), "", dir, "NOT_LOADED", "cannot list plugins folder: " + e, List.of()));
    }
  }

  private PluginReport report(PluginWrapper w) {
    String id = w.getPluginId();
    String version = w.getDescriptor().getVersion();
    if (w.getPluginState() != PluginState.STARTED) {
      // PF4J marks a version mismatch with a bare "Plugin validation failed": name the versions first.
      String why = requiresReason(w);
      if (why == null) {
        why = w.getFailedException() != null ? describe(w.getFailedException()) : "state " + w.getPluginState();
      }
      return new PluginReport(id, version, w.getPluginPath(), w.getPluginState().toString(), why, List.of());
    }
    List<String> found = new ArrayList<>();
    String problem = null;
    // Without its own index PF4J reads the host's META-INF/extensions.idx through the parent
    // loader and would credit the host's extensions to this plugin: look up nothing.
    if (w.getPluginClassLoader() instanceof URLClassLoader loader && loader.findResource(EXTENSIONS_INDEX) == null) {
      return new PluginReport(id, version, w.getPluginPath(), w.getPluginState().toString(), NO_EXTENSIONS, List.of());
    }
    for (Class<?> spi : Spis.ALL.keySet()) {
      List<?> list;
      try {
        list = manager.getExtensions(spi, id);
      } catch (Throwable e) { // LinkageError when a plugin bundles its own TensorFlow or api classes
        problem = "cannot load its " + Spis.ALL.get(spi) + " extensions: " + describe(e)
            + (e instanceof LinkageError ? " (does the plugin bundle TensorFlow or the api? declare them 'provided')" : "");
        continue;
      }
      List<Object> sorted = new ArrayList<>(list);
      sorted.sort(java.util.Comparator.comparing(o -> {
        try {
          return Spis.nameOf(o);
        } catch (RuntimeException e) {
          return "";
        }
      }));
      for (Object ext : sorted) {
        String name;
        try {
          name = Spis.nameOf(ext);
        } catch (RuntimeException e) {
          problem = "extension " + ext.getClass().getName() + " failed in name(): " + describe(e);
          continue;
        }
        String kind = Spis.ALL.get(spi);
        String owner = owners.get(spi).get(name);
        if (owner != null && !owner.equals(id)) {
          conflicts.get(spi).put(name, "plugins '" + owner + "' and '" + id + "' both provide " + kind + " '" + name + "'");
          problem = kind + " '" + name + "' conflicts with plugin '" + owner + "'";
          continue;
        }
        extensions.get(spi).put(name, ext);
        owners.get(spi).put(name, id);
        found.add(kind + " " + name);
      }
    }
    if (found.isEmpty() && problem == null) {
      problem = NO_EXTENSIONS;
    }
    return new PluginReport(id, version, w.getPluginPath(), w.getPluginState().toString(), problem, found);
  }

  private String requiresReason(PluginWrapper w) {
    if (w.getPluginState() == PluginState.DISABLED || w.getPluginState() == PluginState.RESOLVED) {
      String requires = w.getDescriptor().getRequires();
      if (requires != null && !requires.isBlank() && !"*".equals(requires.trim())) {
        try {
          if (!manager.getVersionManager().checkVersionConstraint(API_VERSION, requires)) {
            return "requires api " + requires + " but this runtime provides " + API_VERSION;
          }
        } catch (RuntimeException e) {
          return "bad Plugin-Requires '" + requires + "': " + describe(e);
        }
      }
    }
    return null;
  }

  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage() == null ? "" : ": " + root.getMessage();
    String top = e == root ? "" : (e.getMessage() == null ? "" : e.getMessage() + " <- ");
    return top + root.getClass().getSimpleName() + msg;
  }

  public Path directory() {
    return dir;
  }

  public List<PluginReport> reports() {
    return Collections.unmodifiableList(reports);
  }

  @SuppressWarnings("unchecked")
  public <T> Registry<T> registry(Class<T> spi) {
    Map<String, T> byName = new LinkedHashMap<>();
    extensions.getOrDefault(spi, Map.of()).forEach((k, v) -> byName.put(k, (T) v));
    return new Registry<>(Spis.ALL.getOrDefault(spi, spi.getSimpleName()), byName, conflicts.getOrDefault(spi, Map.of()));
  }

  /** Plugin id that provides {@code name} for the SPI, or null. */
  public String owner(Class<?> spi, String name) {
    return owners.getOrDefault(spi, Map.of()).get(name);
  }

  @Override
  public void close() {
    // PF4J 3.15.0's stopPlugins() is broken (pf4j#656): stop one by one, last started first.
    List<PluginWrapper> started = new ArrayList<>(manager.getStartedPlugins());
    Collections.reverse(started);
    for (PluginWrapper w : started) {
      try {
        manager.stopPlugin(w.getPluginId());
      } catch (RuntimeException e) {
        // a plugin failing in stop() must not keep the others from stopping
      }
    }
    for (PluginWrapper w : new ArrayList<>(manager.getPlugins())) {
      try {
        manager.unloadPlugin(w.getPluginId());
      } catch (RuntimeException e) {
        // same
      }
    }
  }

  /** Remembers why PF4J could not load a path (it only logs it). */
  private static final class RecordingPluginManager extends DefaultPluginManager {
    final Map<Path, Throwable> failures = new LinkedHashMap<>();

    RecordingPluginManager(Path dir) {
      super(dir);
    }

    // Called from PF4J's constructor, before this class's fields are set: the roots are already.
    @Override
    protected PluginRepository createPluginRepository() {
      return new CheckedPluginRepository(getPluginsRoots().get(0));
    }

    CheckedPluginRepository repository() {
      return (CheckedPluginRepository) pluginRepository;
    }

    // DefaultPluginFactory only logs why it cannot create the Plugin-Class and returns null, so
    // start() fails with a NullPointerException: fail with the reason instead.
    @Override
    protected PluginFactory createPluginFactory() {
      return new DefaultPluginFactory() {
        @Override
        public Plugin create(PluginWrapper w) {
          Plugin plugin = super.create(w);
          if (plugin == null) {
            String name = w.getDescriptor().getPluginClass();
            String why;
            try {
              w.getPluginClassLoader().loadClass(name);
              why = "could not be instantiated (not a concrete org.pf4j.Plugin, or its constructor failed)";
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
              why = "not found in the plugin (" + describe(e) + ")";
            }
            throw new PluginRuntimeException("Plugin-Class '" + name + "' " + why);
          }
          return plugin;
        }
      };
    }

    @Override
    protected PluginWrapper loadPluginFromPath(Path path) {
      try {
        return super.loadPluginFromPath(path);
      } catch (RuntimeException | LinkageError e) {
        failures.put(path.toAbsolutePath().normalize(), e);
        throw e;
      }
    }
  }
}
