package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.runtime.cli.TesseraCli;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.api.io.PngImages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * {@code train}, {@code generate}, {@code evaluate --manifest} and {@code compare} with the real
 * plugins (CLIP tokenizer and text tower, diffusion U-Net, evaluator) on a tiny diffusion model
 * trained for two steps: the output contracts, not the image quality.
 */
class CompareEndToEndTest {
  static final Path PLUGINS = Path.of(System.getProperty("tessera.test.plugins", "../runtime/target/dist/plugins"));
  @TempDir static Path tmp;
  static Path weights;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    return run(PLUGINS, args);
  }

  /** A command run in-process as a user runs it, against the plugins in {@code plugins}. */
  static Run run(Path plugins, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = TesseraCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    all[0] = "--plugins-dir";
    all[1] = plugins.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return new Run(cl.execute(all), out.toString(), err.toString());
  }

  @BeforeAll
  static void trainATinyDiffusionModel() throws Exception {
    assumeTrue(Files.exists(PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
    Path config = tmp.resolve("tiny.json");
    Files.writeString(config, "{\"unet_channels\": [4, 8], \"attention_levels\": [], \"embed_dim\": 8, \"groups\": 2, \"heads\": 2}");
    weights = tmp.resolve("tiny-diffusion");
    Run t = run("train", "clip-diffusion", "--config", config.toString(), "--limit", "64", "--batch-size", "8", "--steps", "2",
        "--output-dir", weights.toString());
    assertEquals(0, t.exit(), t.err());
  }

  @Test
  void generateThenEvaluateTheManifest() throws Exception {
    Path out = tmp.resolve("gen");
    Run g = run("generate", "--pipeline", "clip-diffusion", "--weights", weights.toString(), "--prompt", "a photo of a bag",
        "--num-images", "3", "--steps", "3", "--seed", "2", "--output-dir", out.toString());
    assertEquals(0, g.exit(), g.err());
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals("a photo of a bag", m.get("prompt").asText());
    assertEquals(28, PngImages.read(out.resolve(m.get("images").get(2).asText()), 1).height());

    Run table = run("evaluate", "--manifest", out.resolve("manifest.json").toString());
    assertEquals(0, table.exit(), table.err());
    assertTrue(table.out().contains("conditional accuracy") && table.out().contains("target class          bag"), table.out());
    Run deprecated = run("evaluate", "--manifest", out.resolve("manifest.json").toString(), "--model", "fashion-classifier");
    assertEquals(0, deprecated.exit(), deprecated.err());
    assertTrue(deprecated.err().contains("warning: evaluate --model is deprecated: use --evaluator"), deprecated.err());
    Run e = run("evaluate", "--manifest", out.resolve("manifest.json").toString(), "--json", "--evaluator", "fashion-classifier");
    assertEquals(0, e.exit(), e.err());
    JsonNode scores = new ObjectMapper().readTree(e.out());
    assertEquals("bag", scores.get("target_class").asText());
    assertEquals(3, scores.get("images").asInt());
    assertTrue(scores.has("fid") && scores.has("clip_score"), e.out());

    Run tooLong = run("generate", "--pipeline", "clip-diffusion", "--weights", weights.toString(), "--prompt",
        "a photo of a very very very long and very detailed description of a small leather bag", "--output-dir", tmp.resolve("x").toString());
    assertEquals(1, tooLong.exit());
    assertTrue(tooLong.err().contains("longer than the model's text length of 16"), tooLong.err());
  }

  /** train clip writes the captions it was trained on and the similarity in-domain prompts reach (KnownCaptions). */
  @Test
  void trainingAClipKeepsItsKnownCaptions() throws Exception {
    Path clip = tmp.resolve("clip");
    Run t = run("train", "clip", "--set", "vision_width=16", "--set", "text_width=16", "--set", "vision_layers=1", "--set", "text_layers=1",
        "--set", "embed_dim=8", "--limit", "64", "--batch-size", "8", "--steps", "2", "--output-dir", clip.toString());
    assertEquals(0, t.exit(), t.err());
    assertTrue(t.out().matches("(?s).*known captions: [0-9]+, in-domain prompts reach similarity .*"), t.out());
    JsonNode config = new ObjectMapper().readTree(clip.resolve("config.json").toFile());
    assertTrue(config.get("known_captions").size() >= 1 && config.get("known_captions").size() <= 256, config.toString());
    double floor = config.get("known_caption_floor").asDouble();
    assertTrue(floor > -1 && floor < 1, "floor " + floor);
  }

  @Test
  void clipVaeTrainsAndGeneratesInOnePass() throws Exception {
    Path vae = tmp.resolve("clip-vae");
    Run t = run("train", "clip-vae", "--set", "hidden_channels=4", "--set", "latent_dim=3", "--limit", "64", "--batch-size", "8",
        "--steps", "2", "--output-dir", vae.toString());
    assertEquals(0, t.exit(), t.err());
    JsonNode config = new ObjectMapper().readTree(vae.resolve("config.json").toFile());
    assertTrue(config.get("weights_from").has("clip"), "the frozen CLIP tower is referenced, not copied: " + config);
    Path out = tmp.resolve("vae-out");
    Run g = run("generate", "--pipeline", "clip-vae", "--weights", vae.toString(), "--prompt", "a photo of a dress", "--num-images", "3",
        "--seed", "5", "--output-dir", out.toString());
    assertEquals(0, g.exit(), g.err());
    assertEquals(28, PngImages.read(out.resolve("images/0002.png"), 1).width());
    assertEquals("clip-vae", new ObjectMapper().readTree(out.resolve("manifest.json").toFile()).get("pipeline").asText());
  }

  @Test
  void clipGanTrainsBothNetworksAndGeneratesFromTheWeightAverage() throws Exception {
    Path gan = tmp.resolve("clip-gan");
    Run t = run("train", "clip-gan", "--set", "generator_channels=4", "--set", "disc_channels=4", "--set", "latent_dim=3", "--limit", "64",
        "--batch-size", "8", "--steps", "3", "--log-every", "1", "--output-dir", gan.toString());
    assertEquals(0, t.exit(), t.err());
    assertTrue(t.out().contains("disc_loss"), "the discriminator's phase is logged: " + t.out());
    JsonNode config = new ObjectMapper().readTree(gan.resolve("config.json").toFile());
    assertTrue(config.get("weights_from").has("clip"), "the frozen CLIP tower is referenced, not copied: " + config);
    java.util.Set<String> tensors = dev.tessera.api.io.SafeTensors.read(gan.resolve("model.safetensors")).tensors().keySet();
    assertTrue(tensors.stream().anyMatch(n -> n.startsWith("gan.generator_ema.")), "the weight average ships: " + tensors);
    String[] pixels = new String[2];
    for (int i = 0; i < 2; i++) {
      Path out = tmp.resolve("gan-out-" + i);
      Run g = run("generate", "--pipeline", "clip-gan", "--weights", gan.toString(), "--prompt", "a photo of a dress", "--num-images", "3",
          "--seed", "5", "--output-dir", out.toString());
      assertEquals(0, g.exit(), g.err());
      assertEquals("clip-gan", new ObjectMapper().readTree(out.resolve("manifest.json").toFile()).get("pipeline").asText());
      pixels[i] = java.util.Arrays.toString(PngImages.read(out.resolve("images/0002.png"), 1).data());
    }
    assertEquals(pixels[0], pixels[1], "the same seed draws the same images");

    // The shipped generator from the sample pipeline file: 8 candidates per image, re-ranked by CLIP.
    Path reranked = tmp.resolve("gan-reranked");
    Run r = run("generate", "--pipeline-file", Path.of("pipelines/clip-gan-reranked.json").toString(), "--prompt", "a photo of a bag",
        "--num-images", "4", "--seed", "2", "--output-dir", reranked.toString());
    assertEquals(0, r.exit(), r.err());
    JsonNode m = new ObjectMapper().readTree(reranked.resolve("manifest.json").toFile());
    assertEquals(8, m.get("settings").get("candidates").asInt(), m.toString());
    assertEquals(4, m.get("images").size());
    assertTrue(m.get("clip_similarity_kept").asDouble() > m.get("clip_similarity_first_candidates").asDouble(), m.toString());
  }

  @Test
  void dalle2ComposesATrainedPriorAndDecoderAndReRanksCandidates() throws Exception {
    Path both = tmp.resolve("dalle2");
    Path decoderConfig = tmp.resolve("decoder.json");
    Files.writeString(decoderConfig, "{\"unet_channels\": [4, 8], \"attention_levels\": [], \"embed_dim\": 8, \"groups\": 2, \"heads\": 2}");
    Run d = run("train", "dalle2-decoder", "--config", decoderConfig.toString(), "--limit", "64", "--batch-size", "8", "--steps", "2",
        "--output-dir", both.resolve("decoder").toString());
    assertEquals(0, d.exit(), d.err());
    Run p = run("train", "dalle2-prior", "--set", "hidden=16", "--set", "blocks=1", "--limit", "64", "--batch-size", "8", "--steps", "2",
        "--output-dir", both.resolve("prior").toString());
    assertEquals(0, p.exit(), p.err());

    Path out = tmp.resolve("dalle2-out");
    Run g = run("generate", "--pipeline", "dalle2", "--weights", both.toString(), "--prompt", "a photo of a coat", "--num-images", "2",
        "--candidates", "2", "--steps", "2", "--prior-guidance-scale", "2", "--output-dir", out.toString());
    assertEquals(0, g.exit(), g.err());
    JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
    assertEquals("dalle2", m.get("pipeline").asText());
    assertEquals(2, m.get("settings").get("candidates").asInt());
    assertEquals(2, m.get("images").size());
    Run again = run("generate", "--pipeline", "dalle2", "--weights", both.toString(), "--prompt", "a photo of a coat", "--num-images", "2",
        "--candidates", "2", "--steps", "2", "--prior-guidance-scale", "2", "--output-dir", tmp.resolve("dalle2-again").toString());
    assertEquals(0, again.exit(), again.err());
    assertEquals(java.util.Arrays.toString(PngImages.read(out.resolve("images/0001.png"), 1).data()),
        java.util.Arrays.toString(PngImages.read(tmp.resolve("dalle2-again/images/0001.png"), 1).data()));
  }

  @Test
  void compareWritesTablesPlotsAndAValidReportAndKeepsGoingPastAFailedPipeline() throws Exception {
    Path prompts = tmp.resolve("prompts.txt");
    Files.writeString(prompts, "# two classes, the second named in the file\na photo of a sneaker\na tote => bag\n");
    Path report = tmp.resolve("report");
    Run c = run("compare", "--pipelines", "clip-diffusion,no-such-pipeline", "--weights", "clip-diffusion=" + weights,
        "--prompts", prompts.toString(), "--num-images", "2", "--seeds", "1,2", "--steps", "2", "--output-dir", report.toString());
    assertEquals(1, c.exit(), "a script must see that the comparison is incomplete: " + c.err());
    assertTrue(c.err().startsWith("error: 1 of 2 pipelines failed (no-such-pipeline); the report lists why"), c.err());
    assertTrue(c.out().contains("no-such-pipeline failed: unknown pipeline"), c.out());
    assertTrue(c.out().contains("compare: 8/8 (100%)"), c.out());

    JsonNode table = new ObjectMapper().readTree(report.resolve("table.json").toFile());
    JsonNode diffusion = table.get("pipelines").get(0);
    assertEquals("clip-diffusion", diffusion.get("pipeline").asText());
    assertEquals(8, diffusion.get("images").asInt());
    for (String key : new String[] {"fid", "fid_floor_real_at_n", "fid_ceiling_noise_at_n", "conditional_accuracy", "clip_score",
        "diversity", "seconds_per_image", "parameters", "accuracy_spread_across_seeds"}) {
      assertTrue(diffusion.has(key), key + " in " + diffusion);
    }
    assertEquals(4, diffusion.get("samples").size());
    assertEquals("sneaker", diffusion.get("per_prompt").get(0).get("target_class").asText());
    assertEquals("a tote", diffusion.get("per_prompt").get(1).get("prompt").asText());
    assertEquals("bag", diffusion.get("per_prompt").get(1).get("target_class").asText(), "the class the file gives, not one read from the words");
    assertTrue(diffusion.get("per_prompt").get(1).get("conditional_accuracy").isNumber(), diffusion.toString());
    assertTrue(table.get("pipelines").get(1).get("error").asText().contains("unknown pipeline"));
    String md = Files.readString(report.resolve("table.md"));
    assertTrue(md.contains("| clip-diffusion |") && md.contains("failed: unknown pipeline"), md);

    // The HTML is strict XML; every image it shows exists.
    Document html = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.resolve("index.html").toFile());
    NodeList images = html.getElementsByTagName("img");
    assertEquals(2 + 4, images.getLength());
    for (int i = 0; i < images.getLength(); i++) {
      String src = images.item(i).getAttributes().getNamedItem("src").getNodeValue();
      assertTrue(Files.size(report.resolve(src)) > 0, src);
    }
    assertFalse(Files.exists(report.resolve("no-such-pipeline")));
    renderInHeadlessBrowser(report.resolve("index.html"), 2 + 4);
  }

  @Test
  void compareRunsVariantsOfOnePipelineFromPipelineFilesUnderTheirFileNames() throws Exception {
    Path files = Files.createDirectories(tmp.resolve("variants"));
    Files.writeString(files.resolve("plain.json"), "{\"pipeline\": \"clip-diffusion\", \"weights\": \"" + weights + "\"}");
    Files.writeString(files.resolve("unguided-ddpm.json"), "{\"pipeline\": \"clip-diffusion\", \"weights\": \"" + weights
        + "\", \"scheduler\": \"ddpm\", \"guidance_scale\": 1.0}");
    Path prompts = tmp.resolve("one-prompt.txt");
    Files.writeString(prompts, "a photo of a bag\n");
    Path report = tmp.resolve("variants-report");
    Run c = run("compare", "--pipelines", files.resolve("plain.json") + "," + files.resolve("unguided-ddpm.json"), "--prompts", prompts.toString(),
        "--num-images", "2", "--steps", "2", "--output-dir", report.toString());
    assertEquals(0, c.exit(), c.err());
    JsonNode table = new ObjectMapper().readTree(report.resolve("table.json").toFile());
    assertEquals("plain", table.get("pipelines").get(0).get("pipeline").asText());
    assertEquals("unguided-ddpm", table.get("pipelines").get(1).get("pipeline").asText());
    assertEquals("ddpm", table.get("pipelines").get(1).get("settings").get("scheduler").asText());
    assertFalse(table.get("pipelines").get(0).has("error"), table.toString());
    assertFalse(table.get("pipelines").get(1).has("error"), table.toString());
    assertTrue(Files.isDirectory(report.resolve("unguided-ddpm/seed-0")));

    Run twice = run("compare", "--pipelines", files.resolve("plain.json") + "," + files.resolve("plain.json"), "--prompts", prompts.toString(),
        "--output-dir", tmp.resolve("twice").toString());
    assertEquals(1, twice.exit());
    assertTrue(twice.err().contains("'plain' twice"), twice.err());
  }

  /**
   * Loads the report in headless Chromium (installed by .ci/run; skipped where there is none) and
   * reads what the page's own check found: every image decoded.
   */
  private static void renderInHeadlessBrowser(Path html, int images) throws Exception {
    String browser = java.util.stream.Stream.of("chromium-headless-shell", "chromium")
        .filter(b -> java.util.stream.Stream.of(System.getenv("PATH").split(java.io.File.pathSeparator))
            .anyMatch(d -> Files.isExecutable(Path.of(d, b))))
        .findFirst().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(browser != null, "no headless Chromium on PATH (.ci/run installs chromium-headless-shell)");
    Process p = new ProcessBuilder(browser, "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000", "--dump-dom",
        html.toUri().toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the browser did not finish");
    assertTrue(dom.contains("data-images=\"" + images + "\""), "the page's load check did not run or saw another count: "
        + dom.substring(0, Math.min(400, dom.length())));
    assertTrue(dom.contains("data-broken-images=\"0\""), "images failed to load in the browser");
  }
}
