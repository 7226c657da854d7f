package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.io.PngImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin built outside the tree: samples/external-plugin (a Guidance named "brightness" and a
 * pipeline named "clip-gan-truncated" in a Maven project of its own) is built with Maven against
 * this checkout's api, its jar is put into a plugins folder next to the in-tree plugins, and the
 * CLI lists both, uses the guidance by name from a pipeline file, and generates and compares with
 * the pipeline beside the shipped ones, with no change to the runtime.
 */
class ExternalPluginEndToEndTest {
  static final Path PROJECT = Path.of("external-plugin");
  @TempDir static Path tmp;
  static Path plugins;

  @BeforeAll
  static void buildTheExternalPluginAndFillAPluginsFolder() throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    Path jar = ExternalMavenBuild.configured().pack(PROJECT, tmp.resolve("build"));
    plugins = Files.createDirectories(tmp.resolve("plugins"));
    try (Stream<Path> inTree = Files.list(CompareEndToEndTest.PLUGINS)) {
      for (Path p : inTree.filter(p -> p.toString().endsWith(".jar")).toList()) {
        Files.copy(p, plugins.resolve(p.getFileName()));
      }
    }
    Files.copy(jar, plugins.resolve(jar.getFileName())); // PF4J reads the id from the manifest, not the file name
  }

  @Test
  void pluginsListsTheExternalPluginAndItsGuidance() {
    CompareEndToEndTest.Run r = CompareEndToEndTest.run(plugins, "plugins");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("OK      brightness 0.1.0  [guidance brightness, pipeline clip-gan-truncated]"), r.out());
    assertTrue(r.out().contains("0 with problems"), r.out());
  }

  @Test
  void aPipelineFileUsesTheGuidanceByName() throws Exception {
    Path plain = generate("plain", "{\"pipeline\": \"clip-diffusion\", \"steps\": 3}");
    Path guided = generate("guided",
        "{\"pipeline\": \"clip-diffusion\", \"steps\": 3, \"score_guidance\": \"brightness\", \"score_guidance_scale\": 50}");
    JsonNode settings = new ObjectMapper().readTree(guided.resolve("manifest.json").toFile()).get("settings");
    assertEquals("brightness", settings.get("score_guidance").asText());
    double before = meanPixel(plain);
    double after = meanPixel(guided);
    assertTrue(after > before + 0.05, "the brightness guidance did not brighten the images: mean pixel " + before + " -> " + after);
  }

  @Test
  void itsPipelineIsListedGeneratedAndComparedLikeAShippedOne() throws Exception {
    CompareEndToEndTest.Run list = CompareEndToEndTest.run(plugins, "pipelines");
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.out().contains("clip-gan-truncated  (plugin brightness)"), list.out());
    assertTrue(list.out().contains("temperature: a number in [0, 100], default 0.7"), list.out());

    Path out = tmp.resolve("truncated");
    CompareEndToEndTest.Run g = CompareEndToEndTest.run(plugins, "generate", "--pipeline", "clip-gan-truncated", "--prompt", "a photo of a bag",
        "--num-images", "4", "--seed", "3", "--output-dir", out.toString());
    assertEquals(0, g.exit(), g.err());
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals("clip-gan-truncated", m.get("pipeline").asText());
    assertEquals(0.7, m.get("settings").get("temperature").asDouble(), 1e-9);

    // Beside the shipped pipeline whose weights it runs: same generator, narrower z.
    Path report = tmp.resolve("compare");
    CompareEndToEndTest.Run c = CompareEndToEndTest.run(plugins, "compare", "--pipelines", "clip-gan,clip-gan-truncated", "--num-images", "2",
        "--output-dir", report.toString());
    assertEquals(0, c.exit(), c.err());
    String table = Files.readString(report.resolve("table.md"));
    assertTrue(table.contains("clip-gan-truncated"), table);
    assertTrue(Files.isDirectory(report.resolve("clip-gan-truncated/seed-0")), "its images are in the report");
  }

  /** {@code generate --pipeline-file} with the pipeline JSON given, two images of one prompt and seed. */
  private static Path generate(String name, String pipelineJson) throws Exception {
    Path file = Files.writeString(tmp.resolve(name + ".json"), pipelineJson);
    Path out = tmp.resolve(name);
    CompareEndToEndTest.Run g = CompareEndToEndTest.run(plugins, "generate", "--pipeline-file", file.toString(), "--prompt", "a photo of a bag",
        "--num-images", "2", "--seed", "3", "--output-dir", out.toString());
    assertEquals(0, g.exit(), g.err());
    return out;
  }

  private static double meanPixel(Path generated) {
    double sum = 0;
    int n = 0;
    for (int i = 0; i < 2; i++) {
      for (float v : PngImages.read(generated.resolve("images/000" + i + ".png"), 1).data()) {
        sum += v;
        n++;
      }
    }
    return sum / n;
  }
}
