package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.runtime.cli.fixtures.TinyGrayImages;
import dev.tessera.runtime.cli.fixtures.TinyGrayPipeline;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.testing.TestPluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pipeline a plugin jar brings is listed with its options and generates like the runtime's own (issue 22). */
class PluginPipelineEndToEndTest {
  @TempDir Path tmp;
  Path plugins;

  CliRun run(String... args) {
    return CliRun.run(plugins, args);
  }

  @BeforeEach
  void setUp() {
    plugins = TinyCli.tinyPlugin(tmp.resolve("plugins"));
    TestPluginJars.plugin("gray", TinyPlugin.class).extensions(TinyGrayPipeline.class).bundle(TinyGrayImages.class).writeTo(plugins, "gray.jar");
  }

  static double mean(Path dir, int n) {
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (float v : PngImages.read(dir.resolve(String.format("images/%04d.png", i)), 1).data()) {
        s += v;
        k++;
      }
    }
    return s / k;
  }

  @Test
  void listedWithItsOptions() {
    CliRun r = run("pipelines");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("tiny-gray  (plugin gray)"), r.out());
    assertTrue(r.out().contains("level: a number in [0, 1], default 0.5 (the gray level)"), r.out());
    assertTrue(r.out().contains("size: an integer in [1, 64], default 4 (image side in pixels)"), r.out());
    assertTrue(r.out().contains("Options: --option KEY=VALUE, a pipeline file's keys, or generate's flags of the same name"), r.out());
    assertTrue(run("plugins").out().contains("[pipeline tiny-gray]"), "plugins names it as the plugin's extension");
  }

  @Test
  void aPipelineNameTwoPluginsBringIsReportedAndRefused() {
    TestPluginJars.plugin("shadow", TinyPlugin.class).extensions(dev.tessera.runtime.cli.fixtures.TinyShadowingPipeline.class)
        .bundle(TinyGrayPipeline.class, TinyGrayImages.class).writeTo(plugins, "shadow.jar");
    CliRun r = run("pipelines");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("WARN  pipeline 'tiny-gray' cannot be used: "), r.out());
    CliRun g = run("generate", "--pipeline", "tiny-gray", "--prompt", "x", "--output-dir", tmp.resolve("clash").toString());
    assertEquals(1, g.exit());
    assertTrue(g.err().contains("pipeline 'tiny-gray' is ambiguous"), g.err());
  }

  @Test
  void withWeightsAPipelineWithoutDefaultModelsIsToldTheModelTheWeightsConfigNames() throws Exception {
    Path weights = tmp.resolve("weights");
    GenerateEndToEndTest.writeWeights(weights);
    Path out = tmp.resolve("with-weights");
    CliRun r = run("generate", "--pipeline", "tiny-gray", "--weights", weights.toString(), "--prompt", "x", "--num-images", "1",
        "--output-dir", out.toString());
    assertEquals(0, r.exit(), r.err());
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals("tiny-diffusion", m.get("settings").get("model").asText());
  }

  @Test
  void generatesWithItsOptionsFromFlagsAndFromAFile() throws Exception {
    Path out = tmp.resolve("out");
    CliRun r = run("generate", "--pipeline", "tiny-gray", "--prompt", "anything", "--num-images", "3", "--option", "level=0.8",
        "--option", "size=6", "--output-dir", out.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(0.8, mean(out, 3), 0.02);
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals("tiny-gray", m.get("pipeline").asText());
    assertEquals(0.8, m.get("settings").get("level").asDouble());
    assertEquals(6, m.get("image_size").get(0).asInt());

    Path file = tmp.resolve("dark.json");
    Files.writeString(file, "{\"pipeline\": \"tiny-gray\", \"level\": 0.2}");
    Path fromFile = tmp.resolve("from-file");
    assertEquals(0, run("generate", "--pipeline-file", file.toString(), "--prompt", "x", "--num-images", "2", "--output-dir",
        fromFile.toString()).exit());
    assertEquals(0.2, mean(fromFile, 2), 0.02);
  }

  @Test
  void badOptionsAreOneLineErrorsNamingWhatIsAllowed() throws Exception {
    CliRun unknown = run("generate", "--pipeline", "tiny-gray", "--prompt", "x", "--option", "levle=0.3", "--output-dir",
        tmp.resolve("a").toString());
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().startsWith("error: pipeline 'tiny-gray' has no option 'levle' (its options: level, size)"), unknown.err());
    CliRun range = run("generate", "--pipeline", "tiny-gray", "--prompt", "x", "--option", "level=2", "--output-dir", tmp.resolve("b").toString());
    assertTrue(range.err().startsWith("error: level (--level, the gray level) must be a number in [0, 1], got 2"), range.err());
    CliRun type = run("generate", "--pipeline", "tiny-gray", "--prompt", "x", "--option", "size=big", "--output-dir", tmp.resolve("c").toString());
    assertTrue(type.err().startsWith("error: size must be an integer in [1, 64] (image side in pixels), got 'big'"), type.err());
    Path file = tmp.resolve("typo.json");
    Files.writeString(file, "{\"pipeline\": \"tiny-gray\", \"levl\": 0.2}");
    CliRun typo = run("generate", "--pipeline-file", file.toString(), "--prompt", "x", "--output-dir", tmp.resolve("d").toString());
    assertTrue(typo.err().startsWith("error: " + file + ": pipeline 'tiny-gray' has no option 'levl'"), typo.err());
    CliRun alias = run("generate", "--pipeline", "tiny-gray", "--prompt", "x", "--steps", "10", "--output-dir", tmp.resolve("e").toString());
    assertTrue(alias.err().startsWith("error: pipeline 'tiny-gray' has no option 'steps' (its options: level, size)"), alias.err());
    CliRun missing = run("generate", "--pipeline", "no-such", "--prompt", "x", "--output-dir", tmp.resolve("f").toString());
    assertTrue(missing.err().contains("unknown pipeline 'no-such'") && missing.err().contains("tiny-gray"), missing.err());
  }
}
