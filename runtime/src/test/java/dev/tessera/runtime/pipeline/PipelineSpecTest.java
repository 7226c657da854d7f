package dev.tessera.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.options.Options;
import dev.tessera.plugins.diffusion.ClipDiffusionProvider;
import dev.tessera.plugins.diffusion.Dalle2Provider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipeline files: the keys every pipeline shares, the pipeline's own options (checked against what
 * it declares, here the diffusion plugin's dalle2 and clip-diffusion), relative paths, and the
 * errors a typo or a wrong type gets.
 */
class PipelineSpecTest {
  @TempDir Path tmp;

  Path file() {
    return tmp.resolve("sub").resolve("p.json");
  }

  PipelineSpec read(String json) throws Exception {
    Files.createDirectories(file().getParent());
    Files.writeString(file(), json);
    return PipelineSpec.read(file());
  }

  static Options dalle2(PipelineSpec s) {
    return Options.of("pipeline 'dalle2'", new Dalle2Provider().options(), s.options());
  }

  static Options clipDiffusion(PipelineSpec s) {
    return Options.of("pipeline 'clip-diffusion'", new ClipDiffusionProvider().options(), s.options());
  }

  @Test
  void readsEveryKeyAndResolvesPathsAgainstTheFilesFolder() throws Exception {
    PipelineSpec s = read("{\"pipeline\": \"dalle2\", \"model\": \"m\", \"weights\": \"w\", \"device\": \"gpu:0\", \"scheduler\": \"ddpm\","
        + " \"steps\": 7, \"guidance_scale\": 2.5, \"eta\": 0.5, \"batch_size\": 3, \"prior_weights\": \"../p\", \"prior_guidance_scale\": 4,"
        + " \"candidates\": 2, \"score_guidance\": \"clip\", \"score_guidance_scale\": 9}");
    assertEquals("dalle2", s.pipeline());
    assertEquals("m", s.model());
    assertEquals(tmp.resolve("sub").resolve("w").toAbsolutePath(), s.weights());
    assertEquals("gpu:0", s.device());
    assertEquals(3, s.batchSize());
    assertEquals(2, s.candidates());
    Options o = dalle2(s);
    assertEquals(tmp.resolve("p").toAbsolutePath(), o.getPath("prior_weights"));
    assertEquals("ddpm", o.getString("scheduler"));
    assertEquals(7, o.getInt("steps"));
    assertEquals(2.5, o.getDouble("guidance_scale"));
    assertEquals(0.5, o.getDouble("eta"));
    assertEquals(4, o.getDouble("prior_guidance_scale"));
    assertEquals("clip", o.getString("score_guidance"));
    assertEquals(9, o.getDouble("score_guidance_scale"));
  }

  @Test
  void defaultsAreThePipelinesOwn() throws Exception {
    PipelineSpec s = read("{\"pipeline\": \"clip-diffusion\"}");
    assertEquals(PipelineSpec.of("clip-diffusion"), s);
    assertNull(s.weights());
    Options o = clipDiffusion(s);
    assertEquals("ddim", o.getString("scheduler"));
    assertEquals(50, o.getInt("steps"));
    assertEquals(0, o.getDouble("score_guidance_scale"));
    assertEquals(2, o.getDouble("guidance_scale"));
    assertEquals(3, dalle2(read("{\"pipeline\": \"dalle2\"}")).getDouble("guidance_scale"), "dalle2 runs its decoder at guidance 3");
    assertNull(dalle2(read("{\"pipeline\": \"dalle2\"}")).getPath("prior_weights"));
  }

  @Test
  void flagsOverTheFileAndCompareFlagsOnlyWhereDeclared() throws Exception {
    PipelineSpec s = read("{\"pipeline\": \"clip-diffusion\", \"steps\": 7}").withOption("steps", "9");
    assertEquals(9, clipDiffusion(s).getInt("steps"));
    PipelineSpec compared = read("{\"pipeline\": \"clip-diffusion\", \"steps\": 7}")
        .withOptionsWhereDeclared(java.util.Map.of("steps", 11, "top_k", 5));
    Options o = Options.of("pipeline 'clip-diffusion'", new ClipDiffusionProvider().options(), compared.options(), compared.whereDeclared());
    assertEquals(11, o.getInt("steps"), "compare's --steps wins over the file");
    assertTrue(o.given("steps"));
    assertTrue(!o.asMap().containsKey("top_k"), "an option the pipeline does not declare is left out");
  }

  @Test
  void mistakesAreNamed() throws Exception {
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"steps\": 5}")).getMessage().contains("'pipeline' is missing"));
    String typo = assertThrows(TesseraException.class, () -> clipDiffusion(read("{\"pipeline\": \"clip-diffusion\", \"setps\": 5}"))).getMessage();
    assertTrue(typo.startsWith(file() + ": pipeline 'clip-diffusion' has no option 'setps' (its options: eta, guidance_scale, "), typo);
    assertEquals(Set.of("setps"), read("{\"pipeline\": \"x\", \"setps\": 5}").options().keySet());
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": \"x\", \"weights\": 5}")).getMessage()
        .contains("'weights' must be a path"));
    assertTrue(assertThrows(TesseraException.class, () -> clipDiffusion(read("{\"pipeline\": \"x\", \"steps\": -1}"))).getMessage()
        .contains("steps"));
    assertTrue(assertThrows(TesseraException.class, () -> clipDiffusion(read("{\"pipeline\": \"x\", \"steps\": \"5\"}"))).getMessage()
        .contains("steps must be an integer in [1, 10000] (sampling steps), got \"5\""), "a number in a file is a JSON number");
    assertTrue(assertThrows(TesseraException.class, () -> read("[1, 2]")).getMessage().length() > 0);
    assertTrue(assertThrows(TesseraException.class, () -> read("{\"pipeline\": ")).getMessage().length() > 0);
  }

  /** Found by PipelineSpecFuzzTest: each used to escape as a raw exception, without the file, or as infinity. */
  @Test
  void hostileValuesAreRefusedNamingTheFile() throws Exception {
    for (String bad : new String[] {"\"candidates\": 0", "\"batch_size\": -1", "\"weights\": \"a\\u0000b\"", "\"prior_weights\": \"\\ud800\"",
        "\"guidance_scale\": 1e39", "\"eta\": 1e999", "\"prior_weights\": 5"}) {
      TesseraException e = assertThrows(TesseraException.class, () -> dalle2(read("{\"pipeline\": \"dalle2\", " + bad + "}")), bad);
      assertTrue(e.getMessage().startsWith(file() + ": "), e.getMessage());
    }
  }

  @Test
  void theWeightsDescriptionNamesTheFolderOrTheShippedModelReference() {
    PipelineSpec s = PipelineSpec.of("clip-diffusion");
    assertEquals("shipped", s.weightsDescription());
    assertEquals("shipped clip-diffusion:twemoji", s.withModel("clip-diffusion:twemoji").weightsDescription());
  }
}
