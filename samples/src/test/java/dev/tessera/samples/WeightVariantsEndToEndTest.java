package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --model MODEL:VARIANT} picks another weight set a plugin ships (CLIP's Twemoji weights). */
class WeightVariantsEndToEndTest {
  /** Runs generate into {@code dir} with the given arguments and checks it succeeded. */
  private static void generate(Path dir, String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "generate";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--output-dir";
    all[args.length + 2] = dir.toString();
    CompareEndToEndTest.Run r = CompareEndToEndTest.run(CompareEndToEndTest.PLUGINS, all);
    assertEquals(0, r.exit(), r.err());
  }

  private static com.fasterxml.jackson.databind.JsonNode manifest(Path dir) throws java.io.IOException {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
  }

  @Test
  void classifyRunsClipsTwemojiWeightsByReference() {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("clip.jar")), "plugins not packaged yet");
    CompareEndToEndTest.Run r = CompareEndToEndTest.run(CompareEndToEndTest.PLUGINS, "classify", "--model", "clip:twemoji",
        "--labels", "a red heart,a dog face", "--input", "images/fashion-mnist");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("\"label\":"), r.out());

    CompareEndToEndTest.Run unknown = CompareEndToEndTest.run(CompareEndToEndTest.PLUGINS, "classify", "--model", "clip:emoji",
        "--labels", "a,b", "--input", "images/fashion-mnist");
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("model 'clip' ships no weights 'emoji' (it ships: the default, twemoji, wordnet)"), unknown.err());
  }

  @Test
  void reconstructRunsTheTwemojiAutoencoders(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("vqvae.jar")), "plugins not packaged yet");
    for (String model : new String[] {"vqvae:twemoji", "vqgan:twemoji"}) {
      Path out = dir.resolve(model.replace(':', '-'));
      CompareEndToEndTest.Run r = CompareEndToEndTest.run(CompareEndToEndTest.PLUGINS, "reconstruct", "--model", model,
          "--input", "images/fashion-mnist", "--resize", "--output-dir", out.toString());
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("reconstructed 10 images"), r.out());
      java.awt.image.BufferedImage first = javax.imageio.ImageIO.read(out.resolve("images/00000-ankle-boot.png").toFile());
      assertEquals(32, first.getWidth(), "the Twemoji autoencoders work at 32x32");
    }
  }

  @Test
  void generateRunsTheTwemojiDiffusionWeights(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    generate(dir, "--pipeline", "clip-diffusion", "--model", "clip-diffusion:twemoji", "--prompt", "grinning face", "--num-images", "2",
        "--steps", "3", "--seed", "1");
    java.awt.image.BufferedImage first = javax.imageio.ImageIO.read(dir.resolve("images/0000.png").toFile());
    assertEquals(32, first.getWidth(), "Twemoji diffusion samples 32x32 images");
    assertEquals(3, first.getColorModel().getNumColorComponents(), "in colour");
    com.fasterxml.jackson.databind.JsonNode manifest = manifest(dir);
    assertEquals("shipped clip-diffusion:twemoji", manifest.get("weights").asText(), "the manifest records which shipped weights");
  }

  @Test
  void generateRunsTheTwemojiPriorAndDrawsWhatItIsAskedFor(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("gpt.jar")), "plugins not packaged yet");
    generate(dir, "--pipeline", "vqgan-transformer", "--model", "gpt:twemoji", "--prompt", "grinning face", "--num-images", "4",
        "--seed", "1");
    com.fasterxml.jackson.databind.JsonNode manifest = manifest(dir);
    assertEquals("shipped gpt:twemoji", manifest.get("weights").asText());
    int yellow = yellowCentres(dir, 4);
    assertTrue(yellow >= 3, "a grinning face is a yellow disc: " + yellow + " of 4 samples have a yellow centre");
  }

  @Test
  void latentDiffusionOnTwemojiDrawsAGrinningFaceYellow(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("latent-diffusion.jar")), "plugins not packaged yet");
    generate(dir, "--pipeline", "latent-diffusion", "--model", "latent-diffusion:twemoji", "--prompt", "grinning face", "--num-images", "4",
        "--steps", "20", "--seed", "1");
    com.fasterxml.jackson.databind.JsonNode manifest = manifest(dir);
    assertEquals("shipped latent-diffusion:twemoji", manifest.get("weights").asText());
    assertEquals("kl-autoencoder:twemoji", manifest.get("settings").get("autoencoder").asText());
    int yellow = yellowCentres(dir, 4);
    assertTrue(yellow >= 3, "a grinning face is a yellow disc: " + yellow + " of 4 samples have a yellow centre");
  }

  @Test
  void vqganClipOnTheTwemojiVqganIsGuidedByTheTwemojiClip(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("vqgan.jar")), "plugins not packaged yet");
    generate(dir, "--pipeline", "vqgan-clip", "--model", "vqgan:twemoji", "--prompt", "grinning face", "--num-images", "1",
        "--iterations", "2", "--seed", "1");
    com.fasterxml.jackson.databind.JsonNode manifest = manifest(dir);
    assertEquals("clip:twemoji", manifest.get("settings").get("clip").asText(), manifest.toString());
    assertEquals(32, javax.imageio.ImageIO.read(dir.resolve("images/0000.png").toFile()).getWidth());
  }

  /** How many of the first {@code count} 32x32 images have a yellow centre (16x16 mean: red and green high, blue low). */
  static int yellowCentres(Path dir, int count) throws java.io.IOException {
    int yellow = 0;
    for (int i = 0; i < count; i++) {
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(dir.resolve(String.format("images/%04d.png", i)).toFile());
      assertEquals(32, img.getWidth(), "Twemoji generators draw 32x32");
      double[] rgb = new double[3];
      for (int y = 8; y < 24; y++) {
        for (int x = 8; x < 24; x++) {
          int p = img.getRGB(x, y);
          rgb[0] += ((p >> 16) & 255) / 255.0 / 256;
          rgb[1] += ((p >> 8) & 255) / 255.0 / 256;
          rgb[2] += (p & 255) / 255.0 / 256;
        }
      }
      if (rgb[0] > 0.6 && rgb[1] > 0.5 && rgb[2] < 0.4) {
        yellow++;
      }
    }
    return yellow;
  }

  /** clip-gan:wordnet reads attribute words the default clip-gan's CLIP does not know, and draws darker images for "dark". */
  @Test
  void theWordNetGanFollowsAttributeWords(@TempDir Path tmp) throws Exception {
    generate(tmp.resolve("default"), "--pipeline", "clip-gan", "--prompt", "a photo of a dark coat", "--num-images", "8", "--seed", "1");
    assertTrue(manifest(tmp.resolve("default")).get("warnings").get(0).asText().contains("\"dark\""), "the default CLIP does not know 'dark'");
    assertDarkCoatsAreDarker(tmp, "--pipeline", "clip-gan", "--model", "clip-gan:wordnet");
  }

  /**
   * Eight "dark" and eight "light" coats from the pipeline and model {@code args} name (seed 1): neither prompt
   * warns of unknown words, and the dark coats' mean level is below the light ones' by more than 0.1.
   */
  private void assertDarkCoatsAreDarker(Path tmp, String... args) throws Exception {
    for (String shade : new String[] {"dark", "light"}) {
      java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
      all.addAll(java.util.List.of("--prompt", "a photo of a " + shade + " coat", "--num-images", "8", "--seed", "1"));
      generate(tmp.resolve(shade), all.toArray(String[]::new));
      assertTrue(!manifest(tmp.resolve(shade)).has("warnings"), manifest(tmp.resolve(shade)).toString());
    }
    double dark = meanObjectLevel(tmp.resolve("dark"));
    double light = meanObjectLevel(tmp.resolve("light"));
    assertTrue(dark + 0.1 < light, "dark " + dark + " against light " + light);
  }

  /**
   * A word no caption used is read through WordNet: "zori" reaches the WordNet CLIP as "sandal" (so the images are those of
   * "a photo of a sandal", seed for seed), and the manifest says so; "cat" has no reading into a garment CLIP's world.
   */
  @Test
  void anUnknownGarmentWordIsReadThroughWordNet(@TempDir Path tmp) throws Exception {
    assumeTrue(Files.isRegularFile(Path.of("/usr/share/wordnet/data.noun")), "wordnet-base is not installed");
    generate(tmp.resolve("zori"), "--pipeline", "clip-gan", "--model", "clip-gan:wordnet", "--prompt", "a photo of a zori", "--num-images", "4");
    generate(tmp.resolve("sandal"), "--pipeline", "clip-gan", "--model", "clip-gan:wordnet", "--prompt", "a photo of a sandal", "--num-images", "4");
    String warning = manifest(tmp.resolve("zori")).get("warnings").get(0).asText();
    assertTrue(warning.startsWith("the text encoder 'clip' does not know \"zori\": it reads \"zori\" as \"sandal\" (WordNet: a sandal"), warning);
    for (int i = 0; i < 4; i++) {
      String image = manifest(tmp.resolve("zori")).get("images").get(i).asText();
      assertTrue(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("zori").resolve(image)),
          Files.readAllBytes(tmp.resolve("sandal").resolve(manifest(tmp.resolve("sandal")).get("images").get(i).asText()))), image);
    }
    generate(tmp.resolve("cat"), "--pipeline", "clip-gan", "--model", "clip-gan:wordnet", "--prompt", "a photo of a cat", "--num-images", "1");
    String cat = manifest(tmp.resolve("cat")).get("warnings").get(0).asText();
    assertTrue(cat.contains("does not know the word \"cat\": it reads them as one shared unknown token"), cat);
  }

  /** CLIP score guidance reads the word as the conditioning does: "zori" and "sandal" give the same guided images. */
  @Test
  void clipScoreGuidanceReadsUnknownWordsToo(@TempDir Path tmp) throws Exception {
    assumeTrue(Files.isRegularFile(Path.of("/usr/share/wordnet/data.noun")), "wordnet-base is not installed");
    for (String word : new String[] {"zori", "sandal"}) {
      generate(tmp.resolve(word), "--pipeline", "clip-diffusion", "--prompt", "a photo of a " + word, "--num-images", "2", "--steps", "3",
          "--clip-guidance-scale", "50");
    }
    for (int i = 0; i < 2; i++) {
      assertTrue(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("zori").resolve(manifest(tmp.resolve("zori")).get("images").get(i).asText())),
          Files.readAllBytes(tmp.resolve("sandal").resolve(manifest(tmp.resolve("sandal")).get("images").get(i).asText()))), "image " + i);
    }
  }

  /** clip-vae:wordnet too. */
  @Test
  void theWordNetVaeFollowsAttributeWords(@TempDir Path tmp) throws Exception {
    assertDarkCoatsAreDarker(tmp, "--pipeline", "clip-vae", "--model", "clip-vae:wordnet");
  }

  /** clip-diffusion:wordnet too: "dark" and "light" coats differ as the words say. */
  @Test
  void theWordNetDiffusionFollowsAttributeWords(@TempDir Path tmp) throws Exception {
    assertDarkCoatsAreDarker(tmp, "--pipeline", "clip-diffusion", "--model", "clip-diffusion:wordnet", "--steps", "20");
  }

  /** gpt:wordnet too, and vqgan-clip keeps starting from the default prior, the first over the VQGAN's codes. */
  @Test
  void theWordNetPriorFollowsAttributeWords(@TempDir Path tmp) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("gpt.jar")), "plugins not packaged yet");
    assertDarkCoatsAreDarker(tmp, "--pipeline", "vqgan-transformer", "--model", "gpt:wordnet");
    generate(tmp.resolve("vqclip"), "--pipeline", "vqgan-clip", "--prompt", "a photo of a coat", "--num-images", "1", "--iterations", "1");
    assertEquals("gpt", manifest(tmp.resolve("vqclip")).get("settings").get("prior").asText());
  }

  /** Mean level of the object pixels (above 0.1) of a generated folder's images. */
  private static double meanObjectLevel(Path dir) throws java.io.IOException {
    double sum = 0;
    int n = 0;
    for (com.fasterxml.jackson.databind.JsonNode image : manifest(dir).get("images")) {
      for (float v : dev.tessera.api.io.PngImages.read(dir.resolve(image.asText()), 1).data()) {
        if (v > 0.1f) {
          sum += v;
          n++;
        }
      }
    }
    return sum / n;
  }
}
