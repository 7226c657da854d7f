package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --pipeline vqgan-clip} as a user runs it, with the packaged plugins and shipped weights, on tiny settings. */
class VqganClipEndToEndTest {
  static final Path PLUGINS = CompareEndToEndTest.PLUGINS;
  @TempDir Path tmp;

  @Test
  void generatesImagesFramesAndAManifestWithTheClipScores() throws Exception {
    assumeTrue(Files.exists(PLUGINS.resolve("vqvae.jar")) && Files.exists(PLUGINS.resolve("clip.jar")), "plugins not packaged yet");
    Path out = tmp.resolve("out");
    CompareEndToEndTest.Run g = CompareEndToEndTest.run("generate", "--pipeline", "vqgan-clip", "--prompt", "a photo of a sneaker:1|a photo of a bag:-0.3",
        "--num-images", "2", "--iterations", "4", "--lr", "0.2", "--save-every", "2", "--init-noise", "0.5", "--seed", "5", "--output-dir", out.toString());
    assertEquals(0, g.exit(), g.err());
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals("vqgan-clip", m.get("pipeline").asText());
    assertEquals(2, m.get("images").size());
    assertTrue(Files.isRegularFile(out.resolve(m.get("images").get(1).asText())));
    assertTrue(m.get("clip_score_before").isNumber() && m.get("clip_score_after").isNumber(), m::toString);
    assertNotEquals(m.get("clip_score_before").asDouble(), m.get("clip_score_after").asDouble());
    JsonNode s = m.get("settings");
    assertEquals(4, s.get("iterations").asInt());
    assertEquals(0.2, s.get("learning_rate").asDouble());
    assertEquals(0.5, s.get("init_noise").asDouble());
    assertEquals("vqgan", s.get("model").asText());
    assertEquals(Files.exists(PLUGINS.resolve("gpt.jar")) ? "prior" : "canvas", s.get("start").asText(), "where a prior over the VQGAN's codes ships");
    assertEquals("strong", s.get("views").asText());
    for (String f : new String[] {"0000/00000.png", "0000/00002.png", "0001/00004.png"}) {
      assertTrue(Files.isRegularFile(out.resolve("frames").resolve(f)), f);
    }

    CompareEndToEndTest.Run missing = CompareEndToEndTest.run("generate", "--pipeline", "vqgan-clip", "--prompt", "a bag", "--init-image",
        tmp.resolve("none.png").toString(), "--output-dir", tmp.resolve("x").toString());
    assertNotEquals(0, missing.exit());
    assertTrue(missing.err().contains("none.png: file not found"), missing.err());
    CompareEndToEndTest.Run zero = CompareEndToEndTest.run("generate", "--pipeline", "vqgan-clip", "--prompt", "a bag", "--iterations", "0", "--output-dir",
        tmp.resolve("y").toString());
    assertNotEquals(0, zero.exit());
    assertTrue(zero.err().contains("iterations (--iterations, optimisation steps) must be an integer in [1, 100000], got 0"), zero.err());
    CompareEndToEndTest.Run negative = CompareEndToEndTest.run("generate", "--pipeline", "vqgan-clip", "--prompt", "a bag", "--init-noise", "-1",
        "--output-dir", tmp.resolve("z").toString());
    assertNotEquals(0, negative.exit());
    assertTrue(negative.err().contains("init_noise (--init-noise, noise on the starting latents) must be a number in [0, 100], got -1"), negative.err());
  }
}
