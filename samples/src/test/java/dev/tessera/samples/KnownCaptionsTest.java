package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.pipeline.KnownCaptions;
import dev.tessera.api.types.Embedding;
import dev.tessera.runtime.data.FashionMnistCaptions;
import dev.tessera.runtime.data.FashionMnistLexicon;
import dev.tessera.runtime.data.FashionMnistWordNetCaptions;
import dev.tessera.runtime.data.WordNet;
import dev.tessera.runtime.embed.KnownCaptionsCalibration;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped Fashion-MNIST CLIP's known captions ({@link KnownCaptions}): in-domain prompts in
 * unseen phrasings are near them, prompts that name no garment far. The shipped configs (the CLIP's
 * and the text_encoder section of every model built on it) hold exactly what
 * {@link KnownCaptionsCalibration} gives; {@code -Dtessera.updateWeights=true} writes it there.
 */
class KnownCaptionsTest {
  private static PluginRuntime runtime;
  private static Components components;

  @BeforeAll
  static void load() {
    runtime = PluginRuntime.load(CompareEndToEndTest.PLUGINS);
    components = Components.create(runtime);
  }

  @AfterAll
  static void close() {
    runtime.close();
  }

  private static KnownCaptionsCalibration.Result calibrate(EmbeddingPipeline e, ModelWeights clip) {
    return KnownCaptionsCalibration.calibrate(e, components.tokenizer("clip"), clip.config().getPositiveInt("text_length", 77),
        new FashionMnistCaptions());
  }

  @Test
  void promptsThatNameNoGarmentAreFarFromEveryTrainingCaption() {
    ModelWeights clip = components.shippedWeights("clip");
    try (EmbeddingPipeline e = new EmbeddingPipeline(components, clip, 256, "cpu")) {
      KnownCaptionsCalibration.Result r = calibrate(e, clip);
      assertNotNull(r);
      assertTrue(r.captions().size() >= 10 && r.captions().size() <= KnownCaptionsCalibration.MAX_KEPT,
          "a representative set, at least a caption per class: " + r.captions().size());
      KnownCaptions known = new KnownCaptions(r.captions(), r.floor());
      Embedding all = e.embedTexts(r.captions());
      float[][] rows = new float[r.captions().size()][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = all.row(i);
      }
      for (String near : List.of("a photo of a sneaker", "a catalogue picture of a coat", "a photo of a trouser on a shirt")) {
        KnownCaptions.Nearest n = known.nearest(e.embedTexts(List.of(near)).row(0), rows);
        assertNull(known.warning("clip", n), near + ": " + n);
      }
      for (String far : List.of("a photo", "a blurry photo", "the", "a sneaker and a bag")) {
        KnownCaptions.Nearest n = known.nearest(e.embedTexts(List.of(far)).row(0), rows);
        String w = known.warning("clip", n);
        assertNotNull(w, far + " should be far: " + n + ", floor " + r.floor());
        assertTrue(w.startsWith("the prompt is far from everything the text encoder 'clip' was trained on: the nearest training caption is \""), w);
      }
    }
  }

  @Test
  void aPipelineWarnsAndTheWarningNamesTheNearestCaption() {
    try (GenerationPipeline p = Pipelines.open(components, PipelineSpec.of("clip-gan"))) {
      assertEquals(List.of(), p.warnings("a photo of a sandal"));
      List<String> w = p.warnings("a blurry photo");
      assertEquals(1, w.size(), w.toString());
      assertTrue(w.get(0).contains("nearest training caption is"), w.get(0));
      assertEquals(List.of(), p.warnings("a photo of a sneaker:1|a photo of a bag:-0.3"), "a weighted prompt's parts are checked");
      assertTrue(p.warnings("a photo of a sneaker:1|a blurry photo:0.5").get(0).startsWith("\"a blurry photo\": the prompt is far"));
      assertEquals(List.of(), p.warnings("a photo of a sneaker and a bag and a coat and a shirt and a dress"), "too long: left to generate to refuse");
      List<String> unknown = p.warnings("a photo of a cat");
      assertEquals(1, unknown.size());
      assertTrue(unknown.get(0).contains("does not know the word \"cat\""), "unknown words are named first, alone: " + unknown);
    }
  }

  /**
   * A word the CLIP has no embedding for is read through WordNet alike by a generator's prompt tower, VQGAN-CLIP's guide
   * (one warning line for both: the same reading) and the re-ranking CLIP.
   */
  @Test
  void unknownWordsAreReadAlikeByTheGeneratorTheGuideAndTheRanker() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(WordNet.DEBIAN.resolve("data.noun")), "wordnet-base is not installed");
    String line = "the text encoder 'clip' does not know \"zori\": it reads \"zori\" as \"sandal\" (WordNet: a sandal attached to the foot by a"
        + " thong over the toes)";
    try (GenerationPipeline p = Pipelines.open(components, PipelineSpec.of("clip-gan"))) {
      assertEquals(List.of(line), p.warnings("a photo of a zori"));
    }
    try (GenerationPipeline p = Pipelines.open(components, PipelineSpec.of("vqgan-clip"))) {
      assertEquals(List.of(line), p.warnings("a photo of a zori"), "the guide's line and the prior's are one");
    }
    try (EmbeddingPipeline e = new EmbeddingPipeline(components, components.shippedWeights("clip"), 16, "cpu")) {
      assertEquals("a photo of a sandal", e.asRead("a photo of a zori"));
      assertEquals("a photo of a cat", e.asRead("a photo of a cat"));
    }
  }

  /** The configs that carry the Fashion-MNIST CLIP's text side: its own and each text_encoder section built on it. */
  @Test
  void theShippedConfigsHoldTheCalibration() throws Exception {
    assertTrue(check("clip", "fashion-mnist", new FashionMnistCaptions()) >= 8, "the CLIP and the models built on it");
  }

  /**
   * The same for the CLIP trained on WordNet captions (clip:wordnet), where WordNet is installed: its captions as they were
   * when it was trained, with the two definitions that name a held-out word (docs/model-cards/clip.md).
   */
  @Test
  void theWordNetClipsConfigsHoldTheCalibration() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(WordNet.DEBIAN.resolve("data.noun")), "wordnet-base is not installed");
    List<FashionMnistLexicon.ClassWords> lexicon = FashionMnistLexicon.build(WordNet.debian(), false);
    List<String> examples = FashionMnistWordNetCaptions.examples(lexicon);
    List<String> vocabulary = FashionMnistWordNetCaptions.vocabulary(lexicon);
    List<String> probes = FashionMnistCaptions.evaluationPrompts();
    assertTrue(check("clip:wordnet", "wordnet", new dev.tessera.runtime.data.Captioner() {
      @Override
      public String caption(dev.tessera.runtime.data.Dataset data, int index, java.util.SplittableRandom random) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<String> examples() {
        return examples;
      }

      @Override
      public List<String> vocabulary() {
        return vocabulary;
      }

      @Override
      public List<String> probes() {
        return probes;
      }
    }) >= 1);
  }

  /** Checks (or with -Dtessera.updateWeights=true rewrites) the known captions of one shipped CLIP and of the models built on it. */
  private static int check(String reference, String folder, dev.tessera.runtime.data.Captioner captions) throws Exception {
    ModelWeights clip = components.shippedWeights(reference);
    KnownCaptionsCalibration.Result r;
    try (EmbeddingPipeline e = new EmbeddingPipeline(components, clip, 256, "cpu")) {
      r = KnownCaptionsCalibration.calibrate(e, components.tokenizer("clip"), clip.config().getPositiveInt("text_length", 77), captions);
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("..", "plugins"))) {
      files = s.map(p -> p.resolve("weights")).filter(Files::isDirectory).flatMap(w -> {
        try {
          return Files.list(w).map(d -> d.resolve("config.json")).filter(Files::isRegularFile).toList().stream();
        } catch (java.io.IOException ex) {
          throw new java.io.UncheckedIOException(ex);
        }
      }).sorted().toList();
    }
    List<String> stale = new ArrayList<>();
    int checked = 0;
    for (Path f : files) {
      ModelConfig c = ModelConfig.read(f);
      boolean self = f.getParent().equals(Path.of("..", "plugins", "clip", "weights", folder));
      boolean nested = c.section("text_encoder") != null && c.getString("text_model", "clip").equals(reference);
      if (!self && !nested) {
        continue;
      }
      checked++;
      ModelConfig encoder = self ? c : c.section("text_encoder");
      KnownCaptions k = KnownCaptions.of(encoder);
      if (k == null || !k.captions().equals(r.captions()) || Math.abs(k.floor() - r.floor()) > 2e-3
          || !dev.tessera.api.pipeline.VocabularyCheck.captionWords(encoder).equals(java.util.Set.copyOf(r.words()))) {
        stale.add(f.toString());
        if (Boolean.getBoolean("tessera.updateWeights")) {
          ModelConfig updated = KnownCaptionsCalibration.apply(encoder, r);
          (self ? updated : c.with("text_encoder", updated)).write(f);
        }
      }
    }
    assertFalse(!stale.isEmpty() && !Boolean.getBoolean("tessera.updateWeights"),
        "known captions out of date in " + stale + ": run KnownCaptionsTest with -Dtessera.updateWeights=true and rebuild");
    return checked;
  }
}
