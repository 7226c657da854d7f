package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.io.PngImages;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vqgan-clip with the real plugins and the shipped VQ-VAE and CLIP weights, on tiny settings (two
 * images, few iterations, four cutouts): the CLIP score rises, a seed repeats its images, an init
 * image and frames work, and bad inputs fail with clear messages.
 */
class VqganClipPipelineTest {
  static final Path PLUGINS = CompareEndToEndTest.PLUGINS;
  static PluginRuntime runtime;
  static Components components;
  @TempDir Path tmp;

  @BeforeAll
  static void loadPlugins() {
    assumeTrue(Files.exists(PLUGINS.resolve("vqvae.jar")) && Files.exists(PLUGINS.resolve("clip.jar")), "plugins not packaged yet");
    runtime = PluginRuntime.load(PLUGINS);
    components = Components.create(runtime);
  }

  @AfterAll
  static void close() {
    if (runtime != null) {
      runtime.close();
    }
  }

  static PipelineSpec tiny(int iterations, Path initImage, int saveEvery) {
    Map<String, Object> o = new java.util.LinkedHashMap<>(Map.of("iterations", iterations, "learning_rate", 0.1, "save_every", saveEvery,
        "cutouts", 4, "init_noise", 1.0, "start", "canvas"));
    if (initImage != null) {
      o.put("init_image", initImage);
    }
    return PipelineSpec.of("vqgan-clip").withOptions(o);
  }

  @Test
  void theVqganPluginBringsThePipelineWhichRunsOnTheVqVaeWhenNamed() throws Exception {
    Path only = tmp.resolve("plugins");
    Files.createDirectories(only);
    for (String jar : new String[] {"vqvae.jar", "clip.jar"}) {
      Files.copy(PLUGINS.resolve(jar), only.resolve(jar));
    }
    try (PluginRuntime r = PluginRuntime.load(only)) {
      TesseraException e = assertThrows(TesseraException.class, () -> Pipelines.chooseModel(Components.create(r), PipelineSpec.of("vqgan-clip")));
      assertTrue(e.getMessage().startsWith("unknown pipeline 'vqgan-clip'"), e.getMessage());
    }
    try (GenerationPipeline p = Pipelines.open(components, tiny(1, null, 0).withModel("vqvae").withOption("start", "auto"))) {
      assertEquals("vqvae", p.settings().get("autoencoder"));
      assertEquals("canvas", p.settings().get("start"), "the shipped prior draws the VQGAN's codes, not the VQ-VAE's");
      assertEquals("'gpt' ships no weights over the codes of 'vqvae'", p.settings().get("start_choice"));
      assertEquals("named by --model", p.settings().get("model_choice"));
      assertEquals(1, p.generate("a photo of a bag", 1, 0, null).count());
    }
  }

  @Test
  void theClipScoreRisesOnEveryPrompt() {
    try (GenerationPipeline p = Pipelines.open(components, tiny(40, null, 0))) {
      assertEquals("vqgan", p.settings().get("model"), "the vqgan plugin ships weights: it is the default");
      assertEquals("default", p.settings().get("model_choice"), p.settings()::toString);
      for (String prompt : List.of("a photo of a sneaker", "a photo of a bag", "a photo of a trouser", "a photo of a sandal:1|a photo of a shirt:-0.3")) {
        long[] progress = new long[2];
        ImageBatch images = p.generate(prompt, 2, 1, (done, total) -> {
          progress[0] = done;
          progress[1] = total;
        });
        assertEquals(2, images.count());
        assertEquals(28, images.height());
        Map<String, Object> r = p.results();
        double before = (Double) r.get("clip_score_before");
        double after = (Double) r.get("clip_score_after");
        assertTrue(after > before + 0.05, prompt + ": CLIP score " + before + " -> " + after);
        assertEquals(40, progress[0]);
        assertEquals(40, progress[1]);
      }
    }
  }

  /**
   * The evaluator is the judge of these images and must never guide them: the optimisation's graph
   * holds the autoencoder's, CLIP's and its own variables only (its manifest says which).
   */
  @Test
  void theEvaluatorNeverGuides() {
    for (String views : List.of("crops", "strong")) {
      try (GenerationPipeline p = Pipelines.open(components, tiny(1, null, 0).withOption("views", views))) {
        p.generate("a photo of a bag", 1, 0, null);
        @SuppressWarnings("unchecked")
        List<String> scopes = (List<String>) p.results().get("variable_scopes");
        assertEquals(List.of("clip", "vqgan", "vqgan_clip"), scopes, views);
        assertEquals(views, p.settings().get("views"));
      }
    }
  }

  /**
   * start=prior begins where vqgan-transformer's draw for the prompt is (zero iterations: its very
   * images, at the same seed and batch size); the prior's autoencoder must be this run's.
   */
  @Test
  void theOptimisationCanStartFromThePriorsCodes() {
    assumeTrue(Files.exists(PLUGINS.resolve("gpt.jar")), "the gpt plugin");
    try (GenerationPipeline prior = Pipelines.open(components, PipelineSpec.of("vqgan-transformer").withBatchSize(2));
        GenerationPipeline start = Pipelines.open(components, tiny(1, null, 0).withOption("start", "auto").withBatchSize(2))) {
      assertEquals("prior", start.settings().get("start"), "by default where a prior over the VQGAN's codes ships");
      assertTrue(((String) start.settings().get("start_choice")).startsWith("default"), start.settings()::toString);
      ImageBatch drawn = prior.generate("a photo of a sneaker", 2, 5, null);
      ImageBatch refined = start.generate("a photo of a sneaker:1|a photo of a bag:-0.3", 2, 5, null);
      assertEquals(2, refined.count());
      double before = (Double) start.results().get("clip_score_before");
      assertTrue(before > 0.3, "the prior's sneakers already look like the prompt to CLIP: " + before);
      assertNotEquals(drawn, refined, "one Adam step moves them");
    }
    TesseraException e = assertThrows(TesseraException.class,
        () -> Pipelines.open(components, tiny(1, null, 0).withOption("start", "prior").withModel("vqvae")).close());
    assertEquals("start=prior: 'gpt' ships no weights over the codes of 'vqvae'", e.getMessage());
    // The Twemoji VQGAN starts from the Twemoji prior: the weight set over its codes is found among gpt's variants.
    try (GenerationPipeline twemoji = Pipelines.open(components, tiny(1, null, 0).withOption("start", "auto").withModel("vqgan:twemoji"))) {
      assertEquals("prior", twemoji.settings().get("start"));
      assertEquals("gpt:twemoji", twemoji.settings().get("prior"));
    }
  }

  /**
   * With several prior draws per image the search starts from the one the guide scores highest;
   * the first draw is the one-candidate start, so no image starts lower and the mean rises.
   */
  @Test
  void theBestOfSeveralPriorDrawsIsWhereTheSearchStarts() {
    assumeTrue(Files.exists(PLUGINS.resolve("gpt.jar")), "the gpt plugin");
    PipelineSpec spec = tiny(1, null, 0).withOption("start", "prior").withBatchSize(4);
    try (GenerationPipeline one = Pipelines.open(components, spec);
        GenerationPipeline four = Pipelines.open(components, spec.withOption("prior_candidates", 4))) {
      assertEquals(4, four.settings().get("prior_candidates"));
      one.generate("a photo of a shirt", 4, 11, null);
      four.generate("a photo of a shirt", 4, 11, null);
      double first = (Double) one.results().get("clip_score_before");
      double best = (Double) four.results().get("clip_score_before");
      assertTrue(best > first, "the best of four draws scores above the first draw: " + best + " against " + first);
    }
    TesseraException e = assertThrows(TesseraException.class,
        () -> Pipelines.open(components, spec.withOption("prior_candidates", 0)).close());
    assertTrue(e.getMessage().contains("prior_candidates"), e.getMessage());
  }

  /**
   * Starting from the prior's draw, the results say how likely the prior finds the codes before
   * and after the search (nats per code); codes that did not move score the same. The prior's
   * transformer is in the graph for that, the evaluator never.
   */
  @Test
  void thePriorsLikelihoodOfTheCodesIsReported() {
    assumeTrue(Files.exists(PLUGINS.resolve("gpt.jar")), "the gpt plugin");
    PipelineSpec spec = tiny(2, null, 0).withOption("start", "prior").withBatchSize(2);
    try (GenerationPipeline still = Pipelines.open(components, spec.withOption("learning_rate", 1e-7));
        GenerationPipeline canvas = Pipelines.open(components, tiny(1, null, 0))) {
      still.generate("a photo of a sneaker", 2, 3, null);
      double before = (Double) still.results().get("prior_nll_before");
      assertTrue(before > 0 && before < Math.log(512), "a drawn grid is likelier than uniform codes: " + before);
      assertEquals(before, (Double) still.results().get("prior_nll_after"), 1e-4, "the codes did not move");
      @SuppressWarnings("unchecked")
      List<String> scopes = (List<String>) still.results().get("variable_scopes");
      assertEquals(List.of("clip", "gpt", "vqgan", "vqgan_clip"), scopes, "the prior's transformer scores; no evaluator");
      canvas.generate("a photo of a sneaker", 1, 3, null);
      assertFalse(canvas.results().containsKey("prior_nll_before"), "no prior, no score");
    }
  }

  /** The guiding CLIP by reference or by weights folder; a folder that is not there is a one-line error. */
  @Test
  void theGuideIsAModelReferenceOrAWeightsFolder() {
    Path folder = Path.of("..", "plugins", "clip", "weights", "fashion-mnist").toAbsolutePath().normalize();
    assumeTrue(Files.isDirectory(folder), "the CLIP weights folder of the source tree");
    try (GenerationPipeline byReference = Pipelines.open(components, tiny(3, null, 0).withOption("guide", "clip"));
        GenerationPipeline byFolder = Pipelines.open(components, tiny(3, null, 0).withOption("guide", folder.toString()))) {
      assertEquals(folder.toString(), byFolder.settings().get("clip"));
      assertEquals(byReference.generate("a photo of a coat", 1, 3, null), byFolder.generate("a photo of a coat", 1, 3, null),
          "the shipped CLIP from its folder guides as it does by name");
    }
    TesseraException e = assertThrows(TesseraException.class,
        () -> Pipelines.open(components, tiny(3, null, 0).withOption("guide", "/no/such/clip")).close());
    assertTrue(e.getMessage().startsWith("guide /no/such/clip: no such weights folder"), e.getMessage());
  }

  @Test
  void aSeedRepeatsItsImagesAndAnotherSeedDoesNot() {
    try (GenerationPipeline p = Pipelines.open(components, tiny(5, null, 0).withBatchSize(1))) {
      ImageBatch a = p.generate("a photo of a dress", 2, 7, null);
      Object score = p.results().get("clip_score_after");
      ImageBatch b = p.generate("a photo of a dress", 2, 7, null);
      assertEquals(a, b, "same seed, same images");
      assertEquals(score, p.results().get("clip_score_after"));
      assertNotEquals(a, p.generate("a photo of a dress", 2, 8, null));
    }
  }

  @Test
  void startsFromAnInitImageOfAnySizeAndWritesFrames() {
    float[] rgb = new float[40 * 40 * 3];
    for (int y = 10; y < 30; y++) {
      for (int x = 12; x < 28; x++) {
        for (int c = 0; c < 3; c++) {
          rgb[(y * 40 + x) * 3 + c] = 0.8f;
        }
      }
    }
    Path init = tmp.resolve("init.png");
    PngImages.write(init, new ImageBatch(1, 40, 40, 3, rgb), 0);
    Path frames = tmp.resolve("frames");
    try (GenerationPipeline p = Pipelines.open(components, tiny(3, init, 2), tmp)) {
      ImageBatch images = p.generate("a photo of a bag", 2, 0, null);
      assertEquals(2, images.count());
      assertEquals(init.toString(), p.settings().get("init_image"));
      for (String f : List.of("0000/00000.png", "0000/00002.png", "0000/00003.png", "0001/00003.png")) {
        assertTrue(Files.isRegularFile(frames.resolve(f)), f);
      }
      float[] last = PngImages.read(frames.resolve("0001/00003.png"), 1).data();
      float[] image = images.slice(1, 2).data();
      for (int i = 0; i < image.length; i++) {
        assertEquals(image[i], last[i], 0.6 / 255, "the last frame is the final image (8-bit)");
      }
    }
  }

  @Test
  void badInputsAreNamed() {
    try (GenerationPipeline p = Pipelines.open(components, tiny(1, null, 0))) {
      assertTrue(assertThrows(TesseraException.class, () -> p.generate(" ", 1, 0, null)).getMessage().contains("prompt is empty"));
      assertTrue(assertThrows(TesseraException.class, () -> p.generate("a shoe|", 1, 0, null)).getMessage().contains("empty part"));
      assertTrue(assertThrows(TesseraException.class, () -> p.generate("a shoe|:2", 1, 0, null)).getMessage().contains("weight without a prompt"));
      assertTrue(assertThrows(TesseraException.class, () -> p.generate("a shoe", 0, 0, null)).getMessage().contains("--num-images"));
    }
    Path missing = tmp.resolve("nope.png");
    assertTrue(assertThrows(TesseraException.class, () -> Pipelines.open(components, tiny(1, missing, 0))).getMessage()
        .contains("nope.png: file not found"));
    assertTrue(assertThrows(TesseraException.class, () -> Pipelines.open(components, tiny(0, null, 0))).getMessage().contains("iterations (--iterations, optimisation steps) must be an integer in [1, 100000], got 0"));
    try (GenerationPipeline p = Pipelines.open(components, tiny(1, null, 3))) {
      assertTrue(assertThrows(TesseraException.class, () -> p.generate("a shoe", 1, 0, null)).getMessage().contains("save-every"));
    }
    assertTrue(assertThrows(TesseraException.class, () -> Pipelines.open(components, tiny(1, null, 0).withModel("clip"))).getMessage()
        .contains("not a vector-quantised autoencoder"));
  }
}
