package dev.tessera.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.runtime.cli.fixtures.TinyDecoder;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.cli.fixtures.TinyTokenizer;
import dev.tessera.runtime.plugin.fixtures.OtherPlugin;
import dev.tessera.runtime.plugin.fixtures.ThrowingPlugin;
import dev.tessera.runtime.testing.PluginJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading from a folder with one good plugin next to each kind of broken one. */
class PluginRuntimeTest {
  @TempDir Path plugins;

  private Path good() throws Exception {
    return PluginJarBuilder.plugin("good", TinyPlugin.class).extension(TinyTokenizer.class).writeTo(plugins);
  }

  private static Map<String, PluginReport> byId(PluginRuntime runtime) {
    return runtime.reports().stream().collect(Collectors.toMap(PluginReport::id, Function.identity()));
  }

  private void assertGoodStillWorks(PluginRuntime runtime) {
    PluginReport good = byId(runtime).get("good");
    assertNotNull(good, runtime.reports().toString());
    assertTrue(good.ok(), good.toString());
    Tokenizer t = Components.create(runtime).tokenizer("tiny");
    assertEquals(3, t.encode("a").length());
    assertEquals("good", runtime.owner(Tokenizer.class, "tiny"));
  }

  @Test
  void aGoodPluginIsWiredByName() throws Exception {
    good();
    try (PluginRuntime runtime = PluginRuntime.load(plugins)) {
      assertGoodStillWorks(runtime);
      assertEquals(java.util.List.of("tokenizer tiny"), byId(runtime).get("good").extensions());
      TesseraException e = assertThrows(TesseraException.class, () -> Components.create(runtime).tokenizer("nope"));
      assertTrue(e.getMessage().contains("unknown tokenizer 'nope'; available: tiny"), e.getMessage());
    }
  }

  @Test
  void aPluginThatThrowsInStartIsReportedAndTheOthersWork() throws Exception {
    good();
    PluginJarBuilder.plugin("thrower", ThrowingPlugin.class).extension(TinyDecoder.class).writeTo(plugins);
    try (PluginRuntime runtime = PluginRuntime.load(plugins)) {
      PluginReport r = byId(runtime).get("thrower");
      assertEquals("FAILED", r.state());
      assertTrue(r.problem().contains("simulated failure"), r.problem());
      assertGoodStillWorks(runtime);
      assertFalse(Components.create(runtime).plugins().registry(dev.tessera.api.spi.Decoder.class).has("tiny"));
    }
  }

  @Test
  void filesThatAreNotPluginsAreReported() throws Exception {
    good();
    PluginJarBuilder.notAPlugin("library.jar").extension(TinyDecoder.class).writeTo(plugins);
    Files.write(plugins.resolve("garbage.jar"), new byte[] {0, 1, 2, 3, 4});
    Files.writeString(plugins.resolve("notes.txt"), "not a candidate at all");
    try (PluginRuntime runtime = PluginRuntime.load(plugins)) {
      Map<String, PluginReport> reports = byId(runtime);
      assertEquals("NOT_LOADED", reports.get("library.jar").state());
      assertEquals("NOT_LOADED", reports.get("garbage.jar").state());
      assertNotNull(reports.get("library.jar").problem());
      assertNotNull(reports.get("garbage.jar").problem());
      assertFalse(reports.containsKey("notes.txt"));
      assertGoodStillWorks(runtime);
    }
  }

  @Test
  void aMissingPluginClassIsReported() throws Exception {
    good();
    PluginJarBuilder.plugin("ghost", OtherPlugin.class).pluginClassName("com.example.DoesNotExist").writeTo(plugins);
    try (PluginRuntime runtime = PluginRuntime.load(plugins)) {
      PluginReport r = byId(runtime).getOrDefault("ghost", byId(runtime).get("ghost.jar"));
      assertNotNull(r, runtime.reports().toString());
      assertFalse(r.ok());
      assertNotNull(r.problem());
      assertGoodStillWorks(runtime);
    }
  }

  @Test
  void anIncompatibleApiVersionIsReported() throws Exception {
    good();
    PluginJarBuilder.plugin("future", OtherPlugin.class).extension(TinyDecoder.class).requires(">=9.0.0").writeTo(plugins);
    try (PluginRuntime runtime = PluginRuntime.load(plugins)) {
      PluginReport r = byId(runtime).get("future");
      assertFalse(r.ok());
      assertTrue(r.problem().contains(">=9.0.0") && r.problem().contains(PluginRuntime.API_VERSION), r.problem());
      assertGoodStillWorks(runtime);
    }
  }

  @Test
  void twoPluginsWithTheSameNameAreAConflictNamingBoth() throws Exception {
    good();
    PluginJarBuilder.plugin("copycat", OtherPlugin.class).extension(TinyTokenizer.class).writeTo(plugins);
    try (PluginRuntime runtime = PluginRuntime.load(plugins)) {
      TesseraException e = assertThrows(TesseraException.class, () -> runtime.registry(Tokenizer.class).get("tiny"));
      assertTrue(e.getMessage().contains("good") && e.getMessage().contains("copycat"), e.getMessage());
      assertTrue(runtime.reports().stream().anyMatch(r -> r.problem() != null && r.problem().contains("conflicts")));
    }
  }

  @Test
  void aPluginWithoutAnExtensionIndexGetsAWarning() throws Exception {
    PluginJarBuilder.plugin("bare", OtherPlugin.class).extension(TinyDecoder.class).withoutIndex().writeTo(plugins);
    try (PluginRuntime runtime = PluginRuntime.load(plugins)) {
      PluginReport r = byId(runtime).get("bare");
      assertEquals("STARTED", r.state());
      assertTrue(r.problem().contains("no extensions") && r.problem().contains("annotation processor"), r.problem());
    }
  }

  @Test
  void aMissingFolderIsOneClearReport() {
    try (PluginRuntime runtime = PluginRuntime.load(plugins.resolve("nowhere"))) {
      assertEquals(1, runtime.reports().size());
      assertTrue(runtime.reports().get(0).problem().contains("does not exist"));
    }
  }

  @Test
  void closeStopsEveryPlugin() throws Exception {
    good();
    PluginJarBuilder.plugin("other", OtherPlugin.class).extension(TinyDecoder.class).writeTo(plugins);
    PluginRuntime runtime = PluginRuntime.load(plugins);
    assertEquals(2, runtime.reports().stream().filter(PluginReport::ok).count());
    assertDoesNotThrow(runtime::close);
  }
}
