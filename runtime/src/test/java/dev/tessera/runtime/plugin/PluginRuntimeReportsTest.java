package dev.tessera.runtime.plugin;

import dev.tessera.runtime.testing.TestPluginJars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.runtime.plugin.fixtures.FixtureDecoder;
import dev.tessera.runtime.plugin.fixtures.FixtureTokenizer;
import dev.tessera.runtime.plugin.fixtures.GoodPlugin;
import dev.tessera.runtime.plugin.fixtures.ThrowingPlugin;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.PluginClassLoader;

/**
 * One good plugin next to each kind of broken one, asserting on the reports, the owners and the
 * registries. The fixtures carry @Extension, so target/test-classes has its own
 * META-INF/extensions.idx listing them: the test JVM's class path looks like a host that has
 * extensions of its own.
 */
class PluginRuntimeReportsTest {
  @TempDir Path plugins;

  private PluginRuntime runtime;

  @BeforeEach
  void clearStops() {
    System.clearProperty(GoodPlugin.STOPS);
  }

  @AfterEach
  void close() {
    if (runtime != null) {
      runtime.close();
    }
    System.clearProperty(GoodPlugin.STOPS);
  }

  private Path goodPlugin() {
    return TestPluginJars.plugin("good", GoodPlugin.class)
        .extensions(FixtureTokenizer.class, FixtureDecoder.class)
        .writeTo(plugins, "good.jar");
  }

  private PluginRuntime load() {
    runtime = PluginRuntime.load(plugins);
    return runtime;
  }

  private PluginReport report(String id) {
    return runtime.reports().stream()
        .filter(r -> r.id().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no report for '" + id + "' in " + runtime.reports()));
  }

  private void assertGoodPluginLoaded() {
    PluginReport good = report("good");
    assertTrue(good.ok(), good::toString);
    assertEquals("good", runtime.owner(Tokenizer.class, "fixture"));
    assertEquals("fixture", Components.create(runtime).tokenizer("fixture").name());
  }

  private static void assertMentions(String text, String... parts) {
    assertNotNull(text, "expected a reason mentioning " + Arrays.toString(parts));
    for (String part : parts) {
      assertTrue(text.contains(part), () -> "'" + text + "' does not mention '" + part + "'");
    }
  }

  private static Path codeSource(Object o) throws Exception {
    return Path.of(o.getClass().getProtectionDomain().getCodeSource().getLocation().toURI()).toRealPath();
  }

  @Test
  void goodPluginStartsAndItsExtensionsAreWiredByName() throws Exception {
    Path jar = goodPlugin();
    load();

    assertEquals(1, runtime.reports().size(), runtime.reports()::toString);
    PluginReport good = report("good");
    assertEquals("STARTED", good.state());
    assertEquals("1.0.0", good.version());
    assertNull(good.problem());
    assertTrue(good.ok());
    assertEquals(List.of("tokenizer fixture", "decoder fixture"), good.extensions());
    assertEquals("good", runtime.owner(Tokenizer.class, "fixture"));
    assertEquals("good", runtime.owner(Decoder.class, "fixture"));

    Components components = Components.create(runtime);
    Tokenizer tokenizer = components.tokenizer("fixture");
    assertEquals(List.of(104, 105), Arrays.stream(tokenizer.encode("hi").ids()).boxed().toList());
    assertEquals("fixture", components.decoder("fixture").name());
    // The extension came out of the plugin jar through PF4J's plugin class loader, not from the
    // copy of the class the test JVM also has on its class path.
    assertInstanceOf(PluginClassLoader.class, tokenizer.getClass().getClassLoader());
    assertEquals(jar.toRealPath(), codeSource(tokenizer));
    assertFalse(tokenizer instanceof FixtureTokenizer, "loaded from the application class path");
  }

  @Test
  void unknownNamesListTheAvailableOnes() {
    goodPlugin();
    Components components = Components.create(load());

    TesseraException e = assertThrows(TesseraException.class, () -> components.tokenizer("nope"));
    assertMentions(e.getMessage(), "tokenizer", "'nope'", "available: fixture");
    e = assertThrows(TesseraException.class, () -> components.encoder("fixture"));
    assertMentions(e.getMessage(), "encoder", "none");
  }

  @Test
  void pluginWhoseStartThrowsIsFailedAndOthersStillLoad() {
    goodPlugin();
    TestPluginJars.plugin("throwing", ThrowingPlugin.class).extensions(FixtureDecoder.class).writeTo(plugins, "throwing.jar");
    load();

    PluginReport throwing = report("throwing");
    assertEquals("FAILED", throwing.state());
    assertFalse(throwing.ok());
    assertMentions(throwing.problem(), "IllegalStateException", "simulated failure");
    assertEquals(List.of(), throwing.extensions());
    assertGoodPluginLoaded();
    // A failed plugin's extensions are not offered: the decoder is the good plugin's.
    assertEquals("good", runtime.owner(Decoder.class, "fixture"));
  }

  @Test
  void jarsThatAreNotPluginsAreReportedAndSkipped() {
    goodPlugin();
    TestPluginJars.plugin("anonymous", GoodPlugin.class).manifest("Plugin-Id", null).writeTo(plugins, "no-id.jar");
    TestPluginJars.garbage(plugins, "x.jar");
    load();

    assertEquals(3, runtime.reports().size(), runtime.reports()::toString);
    for (String file : List.of("no-id.jar", "x.jar")) {
      PluginReport r = report(file);
      assertEquals("NOT_LOADED", r.state());
      assertFalse(r.ok());
      assertMentions(r.problem(), "not loaded");
      assertEquals(plugins.resolve(file), r.path());
    }
    assertMentions(report("no-id.jar").problem(), "id");
    assertGoodPluginLoaded();
  }

  @Test
  void missingPluginClassIsReportedByNameAndOthersStillLoad() {
    goodPlugin();
    TestPluginJars.plugin("ghost", GoodPlugin.class)
        .manifest("Plugin-Class", "dev.tessera.runtime.plugin.fixtures.DoesNotExist")
        .extensions(FixtureDecoder.class)
        .writeTo(plugins, "ghost.jar");
    load();

    PluginReport ghost = report("ghost");
    assertEquals("FAILED", ghost.state());
    // Not PF4J's bare NullPointerException from start() on a plugin it could not create.
    assertMentions(ghost.problem(), "Plugin-Class", "DoesNotExist", "not found");
    assertEquals(List.of(), ghost.extensions());
    assertGoodPluginLoaded();
  }

  @Test
  void pluginRequiringAnotherApiVersionIsNotStarted() {
    goodPlugin();
    TestPluginJars.plugin("future", GoodPlugin.class)
        .manifest("Plugin-Requires", ">=9.0.0")
        .extensions(FixtureDecoder.class)
        .writeTo(plugins, "future.jar");
    load();

    PluginReport future = report("future");
    assertNotEquals("STARTED", future.state());
    assertFalse(future.ok());
    // Not PF4J's bare "Plugin validation failed".
    assertMentions(future.problem(), ">=9.0.0", PluginRuntime.API_VERSION);
    assertEquals(List.of(), future.extensions());
    assertGoodPluginLoaded();
    assertEquals("good", runtime.owner(Decoder.class, "fixture"));
  }

  @Test
  void twoPluginsClaimingOneNameConflict() {
    goodPlugin();
    TestPluginJars.plugin("rival", GoodPlugin.class).extensions(FixtureTokenizer.class).writeTo(plugins, "rival.jar");
    load();

    // Which plugin PF4J lists first is not fixed; the conflict names both either way.
    String first = runtime.owner(Tokenizer.class, "fixture");
    assertTrue(List.of("good", "rival").contains(first), first);
    String second = first.equals("good") ? "rival" : "good";
    assertMentions(report(second).problem(), "tokenizer 'fixture'", first);
    assertFalse(runtime.registry(Tokenizer.class).has("fixture"));

    TesseraException e = assertThrows(TesseraException.class, () -> runtime.registry(Tokenizer.class).get("fixture"));
    assertMentions(e.getMessage(), "'fixture'", "ambiguous", "'good'", "'rival'");
    e = assertThrows(TesseraException.class, () -> Components.create(runtime).tokenizer("fixture"));
    assertMentions(e.getMessage(), "'good'", "'rival'");
    // Only the name in conflict is ambiguous.
    assertEquals("fixture", runtime.registry(Decoder.class).get("fixture").name());
  }

  @Test
  void startedPluginWithoutExtensionIndexGetsAWarningAndNoHostExtensions() {
    goodPlugin();
    TestPluginJars.plugin("unindexed", GoodPlugin.class)
        .extensions(FixtureDecoder.class)
        .withoutIndex()
        .writeTo(plugins, "unindexed.jar");
    load();

    PluginReport unindexed = report("unindexed");
    assertEquals("STARTED", unindexed.state());
    assertFalse(unindexed.ok());
    // PF4J would fall back to the class path's extensions.idx (the fixtures') and credit them to
    // this plugin; the runtime must not.
    assertEquals(List.of(), unindexed.extensions());
    assertMentions(unindexed.problem(), "no extensions", "annotation processor", "extensions.idx");
    assertGoodPluginLoaded();
    assertEquals("good", runtime.owner(Decoder.class, "fixture"));
  }

  @Test
  void missingPluginsFolderGivesOneReportNamingIt() {
    Path missing = plugins.resolve("not-there");
    runtime = PluginRuntime.load(missing);

    assertEquals(1, runtime.reports().size(), runtime.reports()::toString);
    PluginReport r = runtime.reports().get(0);
    assertEquals("NOT_LOADED", r.state());
    assertMentions(r.problem(), missing.toString(), "does not exist");
    TesseraException e = assertThrows(TesseraException.class, () -> Components.create(runtime).tokenizer("fixture"));
    assertMentions(e.getMessage(), "none");
  }

  @Test
  void closeStopsAndUnloadsEveryPlugin() {
    goodPlugin();
    TestPluginJars.plugin("second", GoodPlugin.class).writeTo(plugins, "second.jar");
    TestPluginJars.plugin("throwing", ThrowingPlugin.class).writeTo(plugins, "throwing.jar");
    load();
    URLClassLoader loader = (URLClassLoader) runtime.registry(Tokenizer.class).get("fixture").getClass().getClassLoader();
    assertNotNull(loader.findResource("META-INF/extensions.idx"));

    // PF4J 3.15.0's stopPlugins() would skip the second of two started plugins.
    runtime.close();
    List<String> stopped = Arrays.stream(System.getProperty(GoodPlugin.STOPS, "").split(",")).sorted().toList();
    assertEquals(List.of("good.jar", "second.jar"), stopped);
    // Unloading closes the plugin's class loader.
    assertNull(loader.findResource("META-INF/extensions.idx"));
    runtime.close(); // a second close is harmless
    runtime = null;
  }

  @Test
  void closeWithASingleStartedPluginDoesNotThrow() {
    goodPlugin();
    load();

    runtime.close(); // PF4J 3.15.0's stopPlugins() throws ConcurrentModificationException here
    assertEquals("good.jar", System.getProperty(GoodPlugin.STOPS));
    runtime = null;
  }

  @Test
  void pluginBundlingTensorFlowIsRejectedBeforeItIsOpened() {
    goodPlugin();
    TestPluginJars.plugin("fat", GoodPlugin.class)
        .extensions(FixtureDecoder.class)
        .bundle(org.tensorflow.Graph.class)
        .writeTo(plugins, "fat.jar");
    load();

    PluginReport fat = report("fat.jar");
    assertEquals("NOT_LOADED", fat.state());
    assertMentions(fat.problem(), "rejected", "bundles TensorFlow", "org/tensorflow/Graph.class", "provided");
    assertEquals(List.of(), fat.extensions());
    assertGoodPluginLoaded();
    assertEquals("good", runtime.owner(Decoder.class, "fixture"));
  }

  @Test
  void zipPluginIsUnpackedAndLoaded() {
    TestPluginJars.plugin("zipped", GoodPlugin.class)
        .extensions(FixtureTokenizer.class)
        .writeZipTo(plugins, "zipped.zip");
    load();

    assertEquals(1, runtime.reports().size(), runtime.reports()::toString);
    assertTrue(report("zipped").ok(), report("zipped")::toString);
    assertEquals("zipped", runtime.owner(Tokenizer.class, "fixture"));
  }

  @Test
  void zipWithPathTraversalEntriesIsRejectedAndNothingIsWritten() throws Exception {
    goodPlugin();
    Path outside = plugins.getParent().resolve("escaped-" + plugins.getFileName() + ".txt");
    String traversal = "../" + outside.getFileName();
    TestPluginJars.plugin("slip", GoodPlugin.class)
        .extensions(FixtureDecoder.class)
        .writeZipTo(plugins, "slip.zip", "classes/harmless.txt", traversal);
    load();

    PluginReport slip = report("slip.zip");
    assertEquals("NOT_LOADED", slip.state());
    assertMentions(slip.problem(), "rejected", traversal, "path traversal");
    assertFalse(java.nio.file.Files.exists(outside), "the traversal entry was written to " + outside);
    // Not even the harmless entries before it were unpacked.
    assertFalse(java.nio.file.Files.exists(plugins.resolve("slip")), "the rejected zip was unpacked");
    assertEquals(2, runtime.reports().size(), runtime.reports()::toString);
    assertGoodPluginLoaded();
  }

  @Test
  void loadingAndClosing50TimesLeaksNoPluginClassLoader() {
    goodPlugin();
    java.util.List<java.lang.ref.WeakReference<ClassLoader>> loaders = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      try (PluginRuntime r = PluginRuntime.load(plugins)) {
        Tokenizer t = Components.create(r).tokenizer("fixture");
        assertEquals("fixture", t.name());
        loaders.add(new java.lang.ref.WeakReference<>(t.getClass().getClassLoader()));
      }
    }
    System.clearProperty(GoodPlugin.STOPS);
    // Every unloaded plugin's class loader (and so its classes) can be collected.
    long alive = 0;
    for (int attempt = 0; attempt < 20; attempt++) {
      System.gc();
      alive = loaders.stream().filter(w -> w.get() != null).count();
      if (alive == 0) {
        break;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    assertEquals(0, alive, alive + " of 50 plugin class loaders are still reachable after close()");
  }
}
