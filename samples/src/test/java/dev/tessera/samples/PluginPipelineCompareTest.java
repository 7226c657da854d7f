package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.runtime.cli.fixtures.TinyGrayImages;
import dev.tessera.runtime.cli.fixtures.TinyGrayPipeline;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.testing.TestPluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pipeline a plugin jar brings takes part in compare beside a shipped one, scored by the same evaluator (issue 22). */
class PluginPipelineCompareTest {
  @TempDir Path tmp;

  @Test
  void comparedBesideAShippedPipeline() throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("clip-vae.jar")), "plugins not packaged yet");
    Path plugins = Files.createDirectories(tmp.resolve("plugins"));
    try (Stream<Path> jars = Files.list(CompareEndToEndTest.PLUGINS)) {
      for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
        Files.createSymbolicLink(plugins.resolve(jar.getFileName()), jar.toAbsolutePath());
      }
    }
    TestPluginJars.plugin("gray", TinyPlugin.class).extensions(TinyGrayPipeline.class).bundle(TinyGrayImages.class).writeTo(plugins, "gray.jar");
    Path gray = tmp.resolve("gray.json");
    Files.writeString(gray, "{\"pipeline\": \"tiny-gray\", \"size\": 28, \"level\": 0.3}");
    Path prompts = tmp.resolve("prompts.txt");
    Files.writeString(prompts, "a photo of a bag\na photo of a dress\n");
    Path report = tmp.resolve("report");
    CompareEndToEndTest.Run r = CompareEndToEndTest.run(plugins, "compare", "--pipelines", "clip-vae," + gray, "--prompts", prompts.toString(),
        "--num-images", "2", "--seeds", "1", "--output-dir", report.toString());
    assertEquals(0, r.exit(), r.err() + r.out());
    JsonNode table = new ObjectMapper().readTree(report.resolve("table.json").toFile());
    JsonNode row = table.get("pipelines").get(1);
    assertEquals("gray", row.get("pipeline").asText());
    assertEquals(4, row.get("images").asInt());
    assertTrue(Files.exists(report.resolve("gray/seed-1/00-a-photo-of-a-bag/manifest.json")));
  }
}
