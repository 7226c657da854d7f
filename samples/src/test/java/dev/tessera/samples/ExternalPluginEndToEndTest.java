package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.runtime.data.PngImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin built outside the tree: samples/external-plugin (a Guidance named "brightness" in a
 * Maven project of its own) is built with Maven against this checkout's api, its jar is put into
 * a plugins folder next to the in-tree plugins, and the CLI lists it and uses it by name from a
 * pipeline file, with no change to the runtime.
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
    assertTrue(r.out().contains("OK      brightness 0.1.0  [guidance brightness]"), r.out());
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
