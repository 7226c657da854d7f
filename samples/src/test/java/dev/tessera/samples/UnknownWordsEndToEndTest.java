package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prompt with words the shipped CLIP has no embedding for still generates, with a one-line
 * warning naming them on stderr and in the manifest; a prompt of known words has none.
 */
class UnknownWordsEndToEndTest {
  private static JsonNode generate(Path dir, String prompt, StringBuilder err) throws Exception {
    CompareEndToEndTest.Run r = CompareEndToEndTest.run(CompareEndToEndTest.PLUGINS, "generate", "--pipeline", "clip-gan", "--prompt", prompt,
        "--num-images", "2", "--seed", "1", "--output-dir", dir.toString());
    assertEquals(0, r.exit(), r.err());
    err.append(r.err());
    return new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
  }

  @Test
  void unknownWordsAreWarnedAboutAndRecorded(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("clip-gan.jar")), "plugins not packaged yet");
    StringBuilder err = new StringBuilder();
    JsonNode manifest = generate(dir.resolve("cat"), "a photo of a cat", err);
    assertTrue(Files.exists(dir.resolve("cat/images/0001.png")), "it still generates");
    String line = err.toString().lines().filter(l -> l.startsWith("warning: ")).findFirst().orElse("");
    assertTrue(line.contains("does not know the word \"cat\""), err.toString());
    assertEquals(1, manifest.get("warnings").size(), manifest.toString());
    assertEquals(line.substring("warning: ".length()), manifest.get("warnings").get(0).asText());

    StringBuilder quiet = new StringBuilder();
    JsonNode known = generate(dir.resolve("sneaker"), "a photo of a sneaker", quiet);
    assertFalse(known.has("warnings"), known.toString());
    assertFalse(quiet.toString().contains("warning: "), quiet.toString());
  }
}
