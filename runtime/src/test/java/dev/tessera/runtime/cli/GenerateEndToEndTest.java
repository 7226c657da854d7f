package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.runtime.cli.fixtures.TinyBrightnessGuidance;
import dev.tessera.runtime.cli.fixtures.TinyDenoiser;
import dev.tessera.runtime.cli.fixtures.TinyGuidance;
import dev.tessera.runtime.cli.fixtures.TinyJointEncoder;
import dev.tessera.runtime.cli.fixtures.TinyNoisyBrightnessGuidance;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.cli.fixtures.TinyTokenizer;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.pipeline.GenerationOutput;
import dev.tessera.runtime.testing.TestPluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@code generate} end to end on a tiny random diffusion model: a one-layer denoiser of 4x4 images
 * conditioned on a 3-value text embedding, classifier-free guidance, the real schedulers.
 */
class GenerateEndToEndTest {
  @TempDir Path tmp;
  Path plugins;
  Path weights;

  CliRun run(String... args) {
    return CliRun.run(plugins, args);
  }

  static ModelConfig config() {
    return ModelConfig.empty().with("model", "tiny-diffusion").with("scope", "tiny_diff").with("decoder", "tiny-denoiser")
        .with("image_size", 4).with("channels", 1).with("timesteps", 100).with("beta_schedule", "linear").with("condition", "text")
        .with("text_encoder", ModelConfig.empty().with("encoder", "tiny-joint").with("tokenizer", "tiny").with("scope", "joint")
            .with("embed_dim", 3).with("text_length", 8));
  }

  /** Random weights for the tiny model, as a trained run would leave them. */
  static void writeWeights(Path dir) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      GraphScope root = GraphScope.root(g);
      var tf = root.tf();
      new TinyDenoiser().denoise(root.child("tiny_diff"), config(), tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4, 1))),
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1))), tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3))));
      new TinyJointEncoder().encodeText(root.child("joint"), config(), tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 8))));
      root.variables().initialize(s, 3);
      new ModelWeights(config(), root.variables().snapshot(s, VariableStore.MODEL_WEIGHTS)).save(dir);
    }
  }

  /**
   * Writes {@code plugins/tinygen.jar}: the tiny denoiser, text tower, tokenizer and guidances, and
   * the diffusion plugin's own clip-diffusion pipeline over them; returns the folder.
   */
  static Path tinygenPlugin(Path plugins) {
    TestPluginJars.plugin("tinygen", TinyPlugin.class)
        .extensions(TinyDenoiser.class, TinyGuidance.class, TinyJointEncoder.class, TinyTokenizer.class, TinyBrightnessGuidance.class,
            TinyNoisyBrightnessGuidance.class, dev.tessera.plugins.diffusion.ClipDiffusionProvider.class)
        .bundle(dev.tessera.plugins.diffusion.DiffusionPipeline.class)
        .writeTo(plugins, "tinygen.jar");
    return plugins;
  }

  @BeforeEach
  void setUp() {
    plugins = tinygenPlugin(tmp.resolve("plugins"));
    weights = tmp.resolve("weights");
    writeWeights(weights);
  }

  CliRun generate(Path out, String prompt, long seed, String... extra) {
    String[] base = {"generate", "--pipeline", "clip-diffusion", "--weights", weights.toString(), "--prompt", prompt, "--num-images", "5",
        "--seed", Long.toString(seed), "--steps", "10", "--batch-size", "3", "--output-dir", out.toString()};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return run(all);
  }

  @Test
  void writesImagesGridAndAManifestAndTheSameSeedGivesTheSameImages() throws Exception {
    Path a = tmp.resolve("a");
    CliRun r = generate(a, "a boot", 7);
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("5 images in"), r.out());
    for (int i = 0; i < 5; i++) {
      assertEquals(4, PngImages.read(a.resolve(String.format("images/%04d.png", i)), 1).height());
    }
    assertTrue(Files.size(a.resolve("grid.png")) > 0);
    JsonNode m = new ObjectMapper().readTree(a.resolve("manifest.json").toFile());
    assertEquals("clip-diffusion", m.get("pipeline").asText());
    assertEquals("a boot", m.get("prompt").asText());
    assertEquals(7, m.get("seed").asLong());
    assertEquals(5, m.get("images").size());
    assertEquals("ddim", m.get("settings").get("scheduler").asText());
    assertEquals(10, m.get("settings").get("steps").asInt());
    assertEquals("classifier-free", m.get("settings").get("guidance").asText());
    assertTrue(m.get("timings").get("seconds_per_image").asDouble() >= 0);
    // From the JVM's start to the first sampling step: covers plugin loading and the pipeline's load.
    JsonNode t = m.get("timings");
    assertTrue(t.get("startup_seconds").asDouble() >= t.get("load_seconds").asDouble() + t.get("plugins_seconds").asDouble(), t.toString());
    assertTrue(m.get("parameters").asLong() > 0);
    GenerationOutput.Manifest read = GenerationOutput.read(a.resolve("manifest.json"));
    assertEquals(5, read.images().size());
    assertTrue(Files.exists(read.images().get(4)));

    Path b = tmp.resolve("b");
    assertEquals(0, generate(b, "a boot", 7).exit());
    Path c = tmp.resolve("c");
    assertEquals(0, generate(c, "a boot", 8).exit());
    float[] first = PngImages.read(a.resolve("images/0004.png"), 1).data();
    assertArrayEquals(first, PngImages.read(b.resolve("images/0004.png"), 1).data());
    assertFalse(java.util.Arrays.equals(first, PngImages.read(c.resolve("images/0004.png"), 1).data()));
  }

  @Test
  void aSchedulerAPluginBringsIsPickedByName() throws Exception {
    TestPluginJars.plugin("sched", TinyPlugin.class).extensions(dev.tessera.runtime.cli.fixtures.TinyDdimCopy.class).writeTo(plugins, "sched.jar");
    Path ddim = tmp.resolve("ddim");
    Path copy = tmp.resolve("copy");
    assertEquals(0, generate(ddim, "a bag", 4, "--scheduler", "ddim").exit());
    CliRun r = generate(copy, "a bag", 4, "--scheduler", "ddim-copy");
    assertEquals(0, r.exit(), r.err());
    assertArrayEquals(Files.readAllBytes(ddim.resolve("images/0003.png")), Files.readAllBytes(copy.resolve("images/0003.png")));
    CliRun unknown = generate(tmp.resolve("u"), "a bag", 4, "--scheduler", "no-such");
    assertTrue(unknown.err().contains("unknown scheduler 'no-such' (known: ddpm, ddim, dpm-solver++, euler-a, heun, ddim-copy)"), unknown.err());
  }

  @Test
  void everySchedulerAndGuidanceScaleRuns() {
    for (String scheduler : new String[] {"ddpm", "ddim", "dpm-solver++", "euler-a", "heun"}) {
      CliRun r = generate(tmp.resolve(scheduler), "a bag", 1, "--scheduler", scheduler, "--guidance-scale", "1");
      assertEquals(0, r.exit(), scheduler + ": " + r.err());
    }
    CliRun g = generate(tmp.resolve("g0"), "a bag", 1, "--guidance-scale", "0", "--eta", "1");
    assertEquals(0, g.exit(), g.err());
  }

  @Test
  void aPipelineFileGivesTheSameImagesAsTheFlags() throws Exception {
    Path flags = tmp.resolve("flags");
    assertEquals(0, generate(flags, "a coat", 3, "--scheduler", "dpm-solver++", "--guidance-scale", "2").exit());
    Path file = tmp.resolve("p.json");
    Files.writeString(file, "{\"pipeline\": \"clip-diffusion\", \"weights\": \"weights\", \"scheduler\": \"dpm-solver++\","
        + " \"steps\": 10, \"guidance_scale\": 2.0, \"batch_size\": 3}");
    Path fromFile = tmp.resolve("file");
    CliRun r = run("generate", "--pipeline-file", file.toString(), "--prompt", "a coat", "--num-images", "5", "--seed", "3",
        "--output-dir", fromFile.toString());
    assertEquals(0, r.exit(), r.err());
    assertArrayEquals(PngImages.read(flags.resolve("images/0002.png"), 1).data(), PngImages.read(fromFile.resolve("images/0002.png"), 1).data());

    Files.writeString(file, "{\"pipeline\": \"clip-diffusion\", \"stesp\": 10}");
    CliRun typo = run("generate", "--pipeline-file", file.toString(), "--prompt", "a coat", "--output-dir", tmp.resolve("typo").toString());
    assertEquals(1, typo.exit());
    assertTrue(typo.err().startsWith("error: " + file + ": pipeline 'clip-diffusion' has no option 'stesp' (its options: eta, guidance_scale, "
        + "scheduler, score_guidance, score_guidance_scale, steps)"), typo.err());
  }

  @Test
  void aUsedFolderIsRefusedAndOverwriteLeavesOnlyTheNewImagesBesideTheUsersFiles() throws Exception {
    Path a = tmp.resolve("a");
    assertEquals(0, generate(a, "a boot", 7).exit());
    Files.writeString(a.resolve("notes.txt"), "mine");
    byte[] before = Files.readAllBytes(a.resolve("images/0004.png"));
    CliRun again = generate(a, "a bag", 8);
    assertEquals(1, again.exit());
    assertTrue(again.err().startsWith("error: --output-dir " + a + " is not empty (8 file(s)): choose another folder, or pass --overwrite"),
        again.err());
    assertArrayEquals(before, Files.readAllBytes(a.resolve("images/0004.png")));

    CliRun fewer = run("generate", "--pipeline", "clip-diffusion", "--weights", weights.toString(), "--prompt", "a bag", "--num-images", "2",
        "--steps", "10", "--output-dir", a.toString(), "--overwrite");
    assertEquals(0, fewer.exit(), fewer.err());
    try (var files = Files.list(a.resolve("images"))) {
      assertEquals(java.util.List.of("0000.png", "0001.png"), files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no image of the earlier run is left beside the new manifest");
    }
    assertEquals(2, GenerationOutput.read(a.resolve("manifest.json")).images().size());
    assertEquals("mine", Files.readString(a.resolve("notes.txt")));
  }

  static double meanPixel(Path dir) {
    double s = 0;
    int n = 0;
    for (int i = 0; i < 5; i++) {
      for (float v : PngImages.read(dir.resolve(String.format("images/%04d.png", i)), 1).data()) {
        s += v;
        n++;
      }
    }
    return s / n;
  }

  /** A score guidance (here: brightness) pushes samples up its gradient, on top of classifier-free guidance. */
  @Test
  void scoreGuidanceFromAPipelineFileSteersTheSamples() throws Exception {
    Path file = tmp.resolve("bright.json");
    Files.writeString(file, "{\"pipeline\": \"clip-diffusion\", \"weights\": \"weights\", \"steps\": 10, \"score_guidance\": \"brightness\","
        + " \"score_guidance_scale\": 20.0}");
    Path guided = tmp.resolve("guided");
    CliRun r = run("generate", "--pipeline-file", file.toString(), "--prompt", "a bag", "--num-images", "5", "--seed", "4",
        "--output-dir", guided.toString());
    assertEquals(0, r.exit(), r.err());
    Path plain = tmp.resolve("plain");
    assertEquals(0, run("generate", "--pipeline", "clip-diffusion", "--weights", weights.toString(), "--steps", "10", "--prompt", "a bag",
        "--num-images", "5", "--seed", "4", "--output-dir", plain.toString()).exit());
    assertTrue(meanPixel(guided) > meanPixel(plain) + 0.05, meanPixel(guided) + " vs " + meanPixel(plain));
    JsonNode m = new ObjectMapper().readTree(guided.resolve("manifest.json").toFile());
    assertEquals("brightness", m.get("settings").get("score_guidance").asText());
  }

  /** A guidance that scores noisy samples (classifier guidance's kind) is differentiated at x_t and steers the samples too. */
  @Test
  void aNoisySampleGuidanceSteersTheSamplesAndScoreGuidancesDoNotStack() throws Exception {
    Path guided = tmp.resolve("noisy-guided");
    CliRun r = generate(guided, "a bag", 4, "--score-guidance", "noisy-brightness", "--score-guidance-scale", "20");
    assertEquals(0, r.exit(), r.err());
    Path plain = tmp.resolve("noisy-plain");
    assertEquals(0, generate(plain, "a bag", 4).exit());
    assertTrue(meanPixel(guided) > meanPixel(plain) + 0.05, meanPixel(guided) + " vs " + meanPixel(plain));
    JsonNode m = new ObjectMapper().readTree(guided.resolve("manifest.json").toFile());
    assertEquals("noisy-brightness", m.get("settings").get("score_guidance").asText());
    // --classifier-guidance-scale stands for the one guidance that scores noisy samples: here noisy-brightness
    Path alias = tmp.resolve("noisy-alias");
    CliRun a = generate(alias, "a bag", 4, "--classifier-guidance-scale", "20");
    assertEquals(0, a.exit(), a.err());
    assertEquals(meanPixel(guided), meanPixel(alias), "the same images as --score-guidance noisy-brightness");
    assertEquals("noisy-brightness", new ObjectMapper().readTree(alias.resolve("manifest.json").toFile()).get("settings").get("score_guidance").asText());

    CliRun two = generate(tmp.resolve("two"), "a bag", 4, "--clip-guidance-scale", "1", "--classifier-guidance-scale", "1");
    assertEquals(1, two.exit());
    assertTrue(two.err().contains("one score guidance per run"), two.err());
    CliRun half = generate(tmp.resolve("half"), "a bag", 4, "--score-guidance", "noisy-brightness");
    assertEquals(1, half.exit());
    assertTrue(half.err().contains("--score-guidance-scale"), half.err());
  }

  /** A weights file missing a tensor fails with its name, and does not hang closing the half-built graph. */
  @Test
  @org.junit.jupiter.api.Timeout(60)
  void weightsWithAMissingTensorFailClearly() {
    ModelWeights w = ModelWeights.load(weights);
    dev.tessera.api.io.Parameters cut = w.parameters().without(java.util.Set.of("tiny_diff.dense.kernel"));
    Path broken = tmp.resolve("broken");
    new ModelWeights(w.config(), cut).save(broken);
    CliRun r = run("generate", "--pipeline", "clip-diffusion", "--weights", broken.toString(), "--prompt", "a bag", "--output-dir",
        tmp.resolve("b").toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("missing tensor 'tiny_diff.dense.kernel'"), r.err());
  }

  @Test
  void badRequestsGetClearErrors() {
    CliRun empty = generate(tmp.resolve("e"), "  ", 1);
    assertEquals(1, empty.exit());
    assertTrue(empty.err().contains("the prompt is empty"), empty.err());
    CliRun longPrompt = generate(tmp.resolve("l"), "a very long prompt indeed", 1);
    assertEquals(1, longPrompt.exit());
    assertTrue(longPrompt.err().contains("longer than the model's text length of 8"), longPrompt.err());
    CliRun unknown = run("generate", "--pipeline", "paint", "--prompt", "x", "--output-dir", tmp.resolve("u").toString());
    assertEquals(1, unknown.exit(), unknown.err());
    assertTrue(unknown.err().contains("unknown pipeline 'paint'") && unknown.err().contains("clip-diffusion"), unknown.err());
    CliRun scheduler = generate(tmp.resolve("s"), "a bag", 1, "--scheduler", "euler");
    assertEquals(1, scheduler.exit());
    assertTrue(scheduler.err().contains("unknown scheduler 'euler'"), scheduler.err());
    CliRun steps = run("generate", "--pipeline", "clip-diffusion", "--weights", weights.toString(), "--prompt", "a bag", "--steps", "101",
        "--output-dir", tmp.resolve("s").toString());
    assertEquals(1, steps.exit());
    assertTrue(steps.err().contains("--steps must be in 1..100"), steps.err());
    CliRun noWeights = run("generate", "--pipeline", "clip-diffusion", "--prompt", "x", "--output-dir", tmp.resolve("w").toString());
    assertEquals(1, noWeights.exit());
    assertTrue(noWeights.err().contains("clip-diffusion"), noWeights.err());
  }
}
