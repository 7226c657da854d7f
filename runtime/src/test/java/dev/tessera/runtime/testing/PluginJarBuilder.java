package dev.tessera.runtime.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes a PF4J plugin jar at test time from classes compiled into target/test-classes: the
 * manifest descriptor, META-INF/extensions.idx and the class files.
 */
public final class PluginJarBuilder {
  private final Map<String, String> manifest = new LinkedHashMap<>();
  private final List<Class<?>> classes = new ArrayList<>();
  private final List<Class<?>> extensions = new ArrayList<>();
  private boolean writeIndex = true;
  private String fileName;

  public static PluginJarBuilder plugin(String id, Class<?> pluginClass) {
    PluginJarBuilder b = new PluginJarBuilder();
    b.manifest.put("Plugin-Id", id);
    b.manifest.put("Plugin-Version", "0.1.0");
    b.manifest.put("Plugin-Requires", ">=0.1.0 & <0.2.0");
    b.manifest.put("Plugin-Class", pluginClass.getName());
    b.classes.add(pluginClass);
    return b;
  }

  /** A jar with classes but no plugin descriptor at all. */
  public static PluginJarBuilder notAPlugin(String fileName) {
    PluginJarBuilder b = new PluginJarBuilder();
    b.fileName = fileName;
    return b;
  }

  public PluginJarBuilder extension(Class<?> c) {
    classes.add(c);
    extensions.add(c);
    return this;
  }

  public PluginJarBuilder requires(String range) {
    manifest.put("Plugin-Requires", range);
    return this;
  }

  /** Names a Plugin-Class that the jar does not contain. */
  public PluginJarBuilder pluginClassName(String name) {
    manifest.put("Plugin-Class", name);
    return this;
  }

  /** Leaves out META-INF/extensions.idx, as when the annotation processor did not run. */
  public PluginJarBuilder withoutIndex() {
    writeIndex = false;
    return this;
  }

  public PluginJarBuilder fileName(String name) {
    fileName = name;
    return this;
  }

  public Path writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path jar = dir.resolve(fileName != null ? fileName : manifest.get("Plugin-Id") + ".jar");
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, mf)) {
      StringBuilder idx = new StringBuilder();
      for (Class<?> e : extensions) {
        idx.append(e.getName()).append('\n');
      }
      if (writeIndex) {
        out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
        out.write(idx.toString().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
      for (Class<?> c : classes) {
        String name = c.getName().replace('.', '/') + ".class";
        out.putNextEntry(new JarEntry(name));
        try (var in = c.getClassLoader().getResourceAsStream(name)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
    return jar;
  }
}
