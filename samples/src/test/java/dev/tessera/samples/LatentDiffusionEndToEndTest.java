package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The latent diffusion plugin through the command line: it trains over the shipped VQGAN and CLIP
 * (referenced, not copied), and its own pipeline generates from those weights, the same images for
 * the same seed, with or without snapping to the codebook; bad options are one-line errors.
 */
class LatentDiffusionEndToEndTest {
  @TempDir static Path tmp;
  static Path weights;

  @BeforeAll
  static void trainTwoSteps() throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("latent-diffusion.jar")), "plugins not packaged yet");
    assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
    weights = tmp.resolve("ldm");
    Path small = tmp.resolve("small.json");
    Files.writeString(small, "{\"unet_channels\": [16, 32], \"attention_levels\": [1], \"embed_dim\": 16}");
    CompareEndToEndTest.Run t = CompareEndToEndTest.run("train", "latent-diffusion", "--config", small.toString(), "--limit", "64",
        "--batch-size", "8", "--steps", "2", "--output-dir", weights.toString());
    assertEquals(0, t.exit(), t.err());
  }

  @Test
  void trainsOverTheShippedVqganAndClipAndItsPipelineGenerates() throws Exception {
    JsonNode config = new ObjectMapper().readTree(weights.resolve("config.json").toFile());
    assertTrue(config.get("weights_from").has("clip") && config.get("weights_from").has("kl-autoencoder"),
        "frozen CLIP and KL autoencoder are referenced: " + config);
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    for (Path out : new Path[] {a, b}) {
      CompareEndToEndTest.Run g = CompareEndToEndTest.run("generate", "--pipeline", "latent-diffusion", "--weights", weights.toString(), "--prompt",
          "a photo of a bag", "--num-images", "3", "--seed", "4", "--steps", "4", "--output-dir", out.toString());
      assertEquals(0, g.exit(), g.err());
    }
    JsonNode m = new ObjectMapper().readTree(a.resolve("manifest.json").toFile());
    assertEquals("latent-diffusion", m.get("pipeline").asText());
    assertEquals(4, m.get("settings").get("steps").asInt());
    assertFalse(m.get("settings").get("quantize").asBoolean(), "a KL autoencoder has no codebook to snap to");
    assertEquals("[7,7,4]", m.get("settings").get("latent_grid").toString());
    assertEquals(2.0, m.get("settings").get("clip_sample").asDouble(), "predicted latents clipped to 2 standard deviations by default");
    assertTrue(m.get("settings").get("latent_std").asDouble() > 0);
    for (int i = 0; i < 3; i++) {
      String file = m.get("images").get(i).asText();
      assertEquals(28, PngImages.read(a.resolve(file), 1).height());
      assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)), "same seed, same image " + file);
    }
    CompareEndToEndTest.Run snapKl = CompareEndToEndTest.run("generate", "--pipeline", "latent-diffusion", "--weights", weights.toString(),
        "--prompt", "a photo of a bag", "--option", "quantize=on", "--output-dir", tmp.resolve("c").toString());
    assertEquals(1, snapKl.exit());
    assertTrue(snapKl.err().contains("has no codebook"), snapKl.err());
  }

  @Test
  void overTheVqganTheLatentsAreSnappedToItsCodebook() throws Exception {
    Path vq = tmp.resolve("ldm-vqgan");
    CompareEndToEndTest.Run t = CompareEndToEndTest.run("train", "latent-diffusion", "--config", tmp.resolve("small.json").toString(), "--set",
        "autoencoder_model=vqgan", "--limit", "64", "--batch-size", "8", "--steps", "2", "--output-dir", vq.toString());
    assertEquals(0, t.exit(), t.err());
    for (String snap : new String[] {"auto", "off"}) {
      Path out = tmp.resolve("vq-" + snap);
      CompareEndToEndTest.Run g = CompareEndToEndTest.run("generate", "--pipeline", "latent-diffusion", "--weights", vq.toString(), "--prompt",
          "a photo of a bag", "--num-images", "2", "--steps", "3", "--scheduler", "euler-a", "--option", "quantize=" + snap, "--output-dir",
          out.toString());
      assertEquals(0, g.exit(), g.err());
      JsonNode settings = new ObjectMapper().readTree(out.resolve("manifest.json").toFile()).get("settings");
      assertEquals(snap.equals("auto"), settings.get("quantize").asBoolean());
      assertEquals("[7,7,64]", settings.get("latent_grid").toString());
    }
  }

  @Test
  void everySchedulerSamplesIt() {
    try (dev.tessera.runtime.embed.Tessera tessera = dev.tessera.runtime.embed.Tessera.open(CompareEndToEndTest.PLUGINS)) {
      for (String scheduler : dev.tessera.api.sampling.Schedulers.NAMES) {
        dev.tessera.runtime.embed.Images images = tessera.pipeline("latent-diffusion").weights(weights).option("scheduler", scheduler)
            .option("steps", 3).generate("a photo of a coat", 2, 1);
        assertEquals(2, images.count(), scheduler);
        assertEquals(scheduler, images.run().settings().get("scheduler"));
        for (float v : images.batch().data()) {
          assertTrue(v >= 0 && v <= 1, scheduler + " gives pixels in [0, 1]");
        }
      }
    }
  }

  @Test
  void badOptionsAreOneLineErrors() {
    CompareEndToEndTest.Run steps = CompareEndToEndTest.run("generate", "--pipeline", "latent-diffusion", "--weights", weights.toString(), "--prompt",
        "a bag", "--steps", "5000", "--output-dir", tmp.resolve("x").toString());
    assertEquals(1, steps.exit());
    assertTrue(steps.err().contains("--steps must be in 1..1000"), steps.err());
    CompareEndToEndTest.Run quantize = CompareEndToEndTest.run("generate", "--pipeline", "latent-diffusion", "--weights", weights.toString(),
        "--prompt", "a bag", "--option", "quantize=maybe", "--output-dir", tmp.resolve("y").toString());
    assertEquals(1, quantize.exit());
    assertTrue(quantize.err().contains("quantize"), quantize.err());
    CompareEndToEndTest.Run clip = CompareEndToEndTest.run("generate", "--pipeline", "latent-diffusion", "--weights", weights.toString(),
        "--prompt", "a bag", "--option", "clip_sample=-1", "--output-dir", tmp.resolve("z").toString());
    assertEquals(1, clip.exit());
    assertTrue(clip.err().contains("clip_sample"), clip.err());
  }

  @Test
  void theShippedWeightsAreTheDefault() throws Exception {
    Path out = tmp.resolve("shipped");
    CompareEndToEndTest.Run g = CompareEndToEndTest.run("generate", "--pipeline", "latent-diffusion", "--prompt", "a photo of a bag",
        "--num-images", "2", "--steps", "5", "--output-dir", out.toString());
    assertEquals(0, g.exit(), g.err());
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals("shipped", m.get("weights").asText());
    assertEquals("latent-diffusion", m.get("settings").get("model").asText());
    assertEquals("kl-autoencoder", m.get("settings").get("autoencoder").asText());
    assertEquals(1.9, m.get("settings").get("guidance_scale").asDouble(), 1e-6);
  }

  /** The KL autoencoder is an AutoencodingModel: reconstruct asks it for the round trip (means, decoded). */
  @Test
  void theShippedKlAutoencoderReconstructs() throws Exception {
    Path out = tmp.resolve("reconstruct-kl");
    CompareEndToEndTest.Run r = CompareEndToEndTest.run("reconstruct", "--model", "kl-autoencoder", "--dataset", "fashion-mnist", "--limit", "16",
        "--output-dir", out.toString());
    assertEquals(0, r.exit(), r.err());
    java.util.regex.Matcher psnr = java.util.regex.Pattern.compile("mean PSNR ([0-9.]+) dB").matcher(r.out());
    assertTrue(psnr.find(), r.out());
    assertTrue(Double.parseDouble(psnr.group(1)) > 20, r.out()); // 26.3 dB over 1,000 test images
    try (var images = Files.list(out.resolve("images"))) {
      assertEquals(16, images.count());
    }
  }
}
