package dev.tessera.runtime.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Builds PF4J plugin jars at test time the way the Maven build does (descriptor in the manifest,
 * META-INF/extensions.idx, class files), copying the classes from target/test-classes.
 */
public final class TestPluginJars {
  public static final String REQUIRES = ">=0.1.0 & <0.2.0";

  private final Map<String, String> manifest = new LinkedHashMap<>();
  private final Set<Class<?>> classes = new LinkedHashSet<>();
  private final List<Class<?>> extensions = new ArrayList<>();
  private boolean index = true;

  private TestPluginJars() {}

  /** A plugin with id, version, a compatible Plugin-Requires and the given plugin class. */
  public static TestPluginJars plugin(String id, Class<?> pluginClass) {
    TestPluginJars b = new TestPluginJars();
    b.manifest.put("Plugin-Id", id);
    b.manifest.put("Plugin-Version", "1.0.0");
    b.manifest.put("Plugin-Requires", REQUIRES);
    b.manifest.put("Plugin-Class", pluginClass.getName());
    b.classes.add(pluginClass);
    return b;
  }

  /** Copies the classes into the jar and lists them in META-INF/extensions.idx. */
  public TestPluginJars extensions(Class<?>... types) {
    for (Class<?> c : types) {
      classes.add(c);
      extensions.add(c);
    }
    return this;
  }

  /** Copies classes into the jar without listing them as extensions (for example TensorFlow's, bundled by mistake). */
  public TestPluginJars bundle(Class<?>... types) {
    classes.addAll(List.of(types));
    return this;
  }

  /** Sets a manifest entry; null removes it. */
  public TestPluginJars manifest(String key, String value) {
    if (value == null) {
      manifest.remove(key);
    } else {
      manifest.put(key, value);
    }
    return this;
  }

  /** Leaves out META-INF/extensions.idx, as when the PF4J annotation processor did not run. */
  public TestPluginJars withoutIndex() {
    index = false;
    return this;
  }

  public Path writeTo(Path dir, String fileName) {
    Path jar = dir.resolve(fileName);
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
    try {
      Files.createDirectories(dir);
      try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, mf)) {
        writeClasses(out, "");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return jar;
  }

  /**
   * The plugin as a PF4J zip: plugin.properties, classes/ and classes/META-INF/extensions.idx,
   * plus {@code extraEntries} (names only, for hostile archives) written first.
   */
  public Path writeZipTo(Path dir, String fileName, String... extraEntries) {
    Path zip = dir.resolve(fileName);
    StringBuilder props = new StringBuilder();
    props.append("plugin.id=").append(manifest.get("Plugin-Id")).append('\n');
    props.append("plugin.version=").append(manifest.get("Plugin-Version")).append('\n');
    props.append("plugin.requires=").append(manifest.get("Plugin-Requires")).append('\n');
    props.append("plugin.class=").append(manifest.get("Plugin-Class")).append('\n');
    try {
      Files.createDirectories(dir);
      try (OutputStream file = Files.newOutputStream(zip); java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(file)) {
        for (String extra : extraEntries) {
          out.putNextEntry(new java.util.zip.ZipEntry(extra));
          out.write(("written from " + fileName + "\n").getBytes(StandardCharsets.UTF_8));
          out.closeEntry();
        }
        out.putNextEntry(new java.util.zip.ZipEntry("plugin.properties"));
        out.write(props.toString().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
        writeClasses(out, "classes/");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip;
  }

  /** The extension index (unless left out) and the class files, under {@code prefix} ("" in a jar, "classes/" in a PF4J zip). */
  private void writeClasses(java.util.zip.ZipOutputStream out, String prefix) throws IOException {
    if (index) {
      StringBuilder idx = new StringBuilder("# written by TestPluginJars\n");
      extensions.forEach(e -> idx.append(e.getName()).append('\n'));
      out.putNextEntry(new java.util.zip.ZipEntry(prefix + "META-INF/extensions.idx"));
      out.write(idx.toString().getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    java.util.Set<String> written = new java.util.HashSet<>();
    for (Class<?> c : classes) {
      writeClass(out, prefix, c.getName(), written, true);
    }
  }

  /**
   * Writes a class file and those of its nested, local and anonymous classes (Name$Inner,
   * Name$1, ...), so that a class is bundled whole.
   */
  private static void writeClass(java.util.zip.ZipOutputStream out, String prefix, String name, java.util.Set<String> written, boolean required)
      throws IOException {
    if (!written.add(name)) {
      return;
    }
    String entry = name.replace('.', '/') + ".class";
    try (InputStream in = TestPluginJars.class.getClassLoader().getResourceAsStream(entry)) {
      if (in == null) {
        if (required) {
          throw new IllegalStateException("no class file " + entry + " on the test classpath");
        }
        written.remove(name);
        return;
      }
      out.putNextEntry(new java.util.zip.ZipEntry(prefix + entry));
      in.transferTo(out);
      out.closeEntry();
    }
    try {
      for (Class<?> nested : Class.forName(name, false, TestPluginJars.class.getClassLoader()).getDeclaredClasses()) {
        writeClass(out, prefix, nested.getName(), written, true);
      }
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("cannot inspect " + name, e);
    }
    for (int i = 1; written.contains(name + "$" + i) || TestPluginJars.class.getClassLoader().getResource(name.replace('.', '/') + "$" + i + ".class") != null; i++) {
      writeClass(out, prefix, name + "$" + i, written, false);
    }
  }

  /** A file named like a jar whose content is not a zip at all. */
  public static Path garbage(Path dir, String fileName) {
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve(fileName), "this is not a zip file\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Entry names of a jar. */
  public static List<String> entries(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(JarEntry::getName).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
