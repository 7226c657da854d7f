package dev.tessera.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipeline files: every key, relative paths, and the errors a typo or a wrong type gets. */
class PipelineSpecTest {
  @TempDir Path tmp;

  PipelineSpec read(String json) throws Exception {
    Path f = tmp.resolve("sub").resolve("p.json");
    Files.createDirectories(f.getParent());
    Files.writeString(f, json);
    return PipelineSpec.read(f);
  }

  @Test
  void readsEveryKeyAndResolvesPathsAgainstTheFilesFolder() throws Exception {
    PipelineSpec s = read("{\"pipeline\": \"dalle2\", \"model\": \"m\", \"weights\": \"w\", \"device\": \"gpu:0\", \"scheduler\": \"ddpm\","
        + " \"steps\": 7, \"guidance_scale\": 2.5, \"eta\": 0.5, \"batch_size\": 3, \"prior_weights\": \"../p\", \"prior_guidance_scale\": 4,"
        + " \"candidates\": 2, \"score_guidance\": \"clip\", \"score_guidance_scale\": 9, \"temperature\": 0.7, \"top_k\": 50, \"top_p\": 0.9}");
    assertEquals("dalle2", s.pipeline());
    assertEquals("m", s.model());
    assertEquals(tmp.resolve("sub").resolve("w").toAbsolutePath(), s.weights());
    assertEquals(tmp.resolve("p").toAbsolutePath(), s.priorWeights());
    assertEquals("gpu:0", s.device());
    assertEquals("ddpm", s.scheduler());
    assertEquals(7, s.steps());
    assertEquals(2.5f, s.guidanceScale());
    assertEquals(0.5, s.eta());
    assertEquals(3, s.batchSize());
    assertEquals(4f, s.priorGuidanceScale());
    assertEquals(2, s.candidates());
    assertEquals("clip", s.scoreGuidance());
    assertEquals(9f, s.scoreGuidanceScale());
    assertEquals(new PipelineSpec.TokenOptions(0.7, 50, 0.9), s.tokens());
  }

  @Test
  void defaultsAreTheFlagsDefaults() throws Exception {
    PipelineSpec s = read("{\"pipeline\": \"clip-diffusion\"}");
    assertEquals(PipelineSpec.of("clip-diffusion"), s);
    assertNull(s.weights());
    assertEquals("ddim", s.scheduler());
    assertEquals(50, s.steps());
    assertEquals(0f, s.scoreGuidanceScale());
    assertEquals(2f, s.guidanceScale());
    assertEquals(3f, read("{\"pipeline\": \"dalle2\"}").guidanceScale(), "dalle2 runs its decoder at guidance 3");
  }

  @Test
  void mistakesAreNamed() throws Exception {
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"steps\": 5}")).getMessage().contains("'pipeline' is missing"));
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"clip-diffusion\", \"setps\": 5}")).getMessage()
        .contains("unknown key 'setps'"));
    // A pipeline the runtime does not know may be a plugin's: its other keys are its options, checked when it is opened.
    assertEquals(java.util.Set.of("setps"), read("{\"pipeline\": \"x\", \"setps\": 5}").options().keySet());
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"x\", \"weights\": 5}")).getMessage()
        .contains("'weights' must be a path"));
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"x\", \"steps\": -1}")).getMessage().contains("steps"));
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"x\", \"top_p\": 1.5}")).getMessage().contains("top-p"));
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"x\", \"temperature\": -1}")).getMessage().contains("temperature"));
    assertTrue(assertThrows(TesseraException.class, () -> read("[1, 2]")).getMessage().length() > 0);
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": ")).getMessage().length() > 0);
  }

  /** Found by PipelineSpecFuzzTest: each used to escape as a raw exception, without the file, or as infinity. */
  @Test
  void hostileValuesAreRefusedNamingTheFile() throws Exception {
    for (String bad : new String[] {"\"top_p\": 1.5", "\"top_k\": -1", "\"learning_rate\": 0", "\"init_noise\": -2",
        "\"weights\": \"a\\u0000b\"", "\"prior_weights\": \"\\ud800\"", "\"guidance_scale\": 1e39", "\"eta\": 1e999"}) {
      TesseraException e = assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"x\", " + bad + "}"), bad);
      assertTrue(e.getMessage().startsWith(tmp.resolve("sub").resolve("p.json").toString() + ": "), e.getMessage());
    }
  }

  @Test
  void optimisationKeysAndTheirMistakes() throws Exception {
    PipelineSpec s = read("{\"pipeline\": \"vqgan-clip\", \"iterations\": 20, \"learning_rate\": 0.05, \"init_image\": \"start.png\","
        + " \"save_every\": 5, \"cutouts\": 2, \"init_noise\": 0.25}");
    PipelineSpec.OptimisationOptions o = s.optimisation();
    assertEquals(20, o.iterations());
    assertEquals(0.05, o.learningRate());
    assertEquals(tmp.resolve("sub").resolve("start.png").toAbsolutePath(), o.initImage());
    assertEquals(5, o.saveEvery());
    assertEquals(2, o.cutouts());
    assertEquals(0.25, o.initNoise());
    assertNull(o.framesDir());
    assertEquals(PipelineSpec.OptimisationOptions.defaults(), read("{\"pipeline\": \"vqgan-clip\"}").optimisation());
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"vqgan-clip\", \"iterations\": 0}")).getMessage()
        .contains("iterations (--iterations, optimisation steps) must be an integer in [1, 100000], got 0"));
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"vqgan-clip\", \"learning_rate\": -1}")).getMessage()
        .contains("learning_rate (--lr, the optimiser's step size) must be a number in (0, 100], got -1"));
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"vqgan-clip\", \"save_every\": -2}")).getMessage()
        .contains("save_every (--save-every"));
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"vqgan-clip\", \"itrations\": 3}")).getMessage()
        .contains("unknown key 'itrations'"));
  }

  @Test
  void theWeightsDescriptionNamesTheFolderOrTheShippedModelReference() {
    PipelineSpec s = PipelineSpec.of("clip-diffusion");
    assertEquals("shipped", s.weightsDescription());
    assertEquals("shipped clip-diffusion:twemoji", s.withModel("clip-diffusion:twemoji").weightsDescription());
  }
}
