package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.api.io.PngImages;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-stage family from the command line with the real plugins: {@code train gpt} over the
 * shipped VQGAN's codes, {@code generate --pipeline vqgan-transformer}, and {@code train vqgan}
 * from the shipped VQ-VAE, then {@code reconstruct} with it. Tiny settings and two or three steps:
 * the contracts, not the quality.
 */
class CodeModelsEndToEndTest {
  @TempDir static Path tmp;

  static CompareEndToEndTest.Run run(String... args) {
    return CompareEndToEndTest.run(args);
  }

  @BeforeAll
  static void needsPluginsAndData() {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("gpt.jar")), "plugins not packaged yet");
    assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
  }

  @Test
  void gptTrainsOverVqganCodesAndTheVqganTransformerPipelineGenerates() throws Exception {
    Path gpt = tmp.resolve("gpt");
    CompareEndToEndTest.Run t = run("train", "gpt", "--set", "dim=16", "--set", "heads=2", "--set", "layers=1", "--set", "prefix_length=2",
        "--limit", "64", "--batch-size", "8", "--steps", "2", "--output-dir", gpt.toString());
    assertEquals(0, t.exit(), t.err());
    JsonNode config = new ObjectMapper().readTree(gpt.resolve("config.json").toFile());
    assertTrue(config.get("weights_from").has("clip") && config.get("weights_from").has("vqgan"), "frozen CLIP and VQGAN are referenced: " + config);
    assertEquals("vqgan", config.get("autoencoder").get("model").asText());

    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    for (Path out : new Path[] {a, b}) {
      CompareEndToEndTest.Run g = run("generate", "--pipeline", "vqgan-transformer", "--weights", gpt.toString(), "--prompt", "a photo of a bag",
          "--num-images", "3", "--seed", "4", "--top-k", "20", "--temperature", "0.9", "--output-dir", out.toString());
      assertEquals(0, g.exit(), g.err());
    }
    JsonNode m = new ObjectMapper().readTree(a.resolve("manifest.json").toFile());
    assertEquals("vqgan-transformer", m.get("pipeline").asText());
    assertEquals(20, m.get("settings").get("top_k").asInt());
    assertTrue(m.get("settings").get("kv_cache").asBoolean());
    for (int i = 0; i < 3; i++) {
      String file = m.get("images").get(i).asText();
      assertEquals(28, PngImages.read(a.resolve(file), 1).height());
      assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)), "same seed, same image " + file);
    }

    CompareEndToEndTest.Run empty = run("generate", "--pipeline", "vqgan-transformer", "--weights", gpt.toString(), "--prompt", " ",
        "--output-dir", tmp.resolve("x").toString());
    assertEquals(1, empty.exit());
    assertTrue(empty.err().contains("the prompt is empty"), empty.err());
    CompareEndToEndTest.Run tooLong = run("generate", "--pipeline", "vqgan-transformer", "--weights", gpt.toString(), "--prompt",
        "a photo of a very very very long and very detailed description of a small leather bag", "--output-dir", tmp.resolve("z").toString());
    assertEquals(1, tooLong.exit());
    assertTrue(tooLong.err().contains("longer than the model's text length of 16"), tooLong.err());
    CompareEndToEndTest.Run badTopP = run("generate", "--pipeline", "vqgan-transformer", "--weights", gpt.toString(), "--prompt", "a bag",
        "--top-p", "0", "--output-dir", tmp.resolve("y").toString());
    assertEquals(1, badTopP.exit());
    assertTrue(badTopP.err().contains("top_p (--top-p, nucleus mass; 1: all) must be a number in (0, 1], got 0"), badTopP.err());
  }

  @Test
  void vqganStartsFromTheVqVaeTrainsItsDiscriminatorAndReconstructs() throws Exception {
    Path vqgan = tmp.resolve("vqgan");
    CompareEndToEndTest.Run t = run("train", "vqgan", "--set", "disc_channels=4", "--set", "disc_start=1", "--limit", "64", "--batch-size", "4",
        "--steps", "3", "--log-every", "1", "--output-dir", vqgan.toString());
    assertEquals(0, t.exit(), t.err());
    assertTrue(t.out().contains("(as vqgan)"), "starts from the shipped VQ-VAE: " + t.out());
    JsonNode config = new ObjectMapper().readTree(vqgan.resolve("config.json").toFile());
    assertEquals(512, config.get("codebook_size").asInt(), "the VQ-VAE's architecture is copied");
    assertFalse(config.get("weights_from").has("vqvae"), "the VQ-VAE's tensors are trained, so copied, not referenced");
    String log = Files.readString(vqgan.resolve("train-log.csv"));
    assertTrue(log.startsWith("step,loss,mse,perceptual,g_adv,adaptive_weight,perplexity,disc_loss,disc_real,disc_fake"), log);
    String[] lines = log.strip().split("\n");
    assertTrue(lines[1].contains("NaN") && !lines[3].contains("NaN"), "the discriminator starts after disc_start: " + log);

    CompareEndToEndTest.Run r = run("reconstruct", "--model", "vqgan", "--weights", vqgan.toString(), "--dataset", "fashion-mnist", "--limit", "16",
        "--output-dir", tmp.resolve("recon").toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("mean PSNR") && r.out().contains("reconstruction FID"), r.out());
    assertTrue(r.out().contains("(fashion-classifier features; 0 = indistinguishable)"), "the features are named: " + r.out());
  }
}
