package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.runtime.cli.fixtures.TinyGrayImages;
import dev.tessera.runtime.cli.fixtures.TinyGrayPipeline;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.embed.Generator;
import dev.tessera.runtime.embed.Images;
import dev.tessera.runtime.embed.PipelineRequest;
import dev.tessera.runtime.embed.Tessera;
import dev.tessera.runtime.testing.TestPluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java API (issue 22): a few lines give what generate gives, for the runtime's pipelines and a plugin's. */
class TesseraFacadeTest {
  @TempDir Path tmp;
  Path plugins;
  Path weights;

  @BeforeEach
  void setUp() {
    plugins = GenerateEndToEndTest.tinygenPlugin(tmp.resolve("plugins"));
    TestPluginJars.plugin("gray", TinyPlugin.class).extensions(TinyGrayPipeline.class).bundle(TinyGrayImages.class).writeTo(plugins, "gray.jar");
    weights = tmp.resolve("weights");
    GenerateEndToEndTest.writeWeights(weights);
  }

  @Test
  void theSameImagesAsTheCommandLine() throws Exception {
    Path fromCli = tmp.resolve("cli");
    CliRun r = CliRun.run(plugins, "generate", "--pipeline", "clip-diffusion", "--weights", weights.toString(), "--prompt", "a boot",
        "--num-images", "5", "--seed", "7", "--steps", "10", "--batch-size", "3", "--scheduler", "dpm-solver++", "--output-dir", fromCli.toString());
    assertEquals(0, r.exit(), r.err());

    Path fromJava = tmp.resolve("java");
    try (Tessera tessera = Tessera.open(plugins)) {
      Images images = tessera.pipeline("clip-diffusion").weights(weights).option("scheduler", "dpm-solver++").option("steps", 10)
          .option("batch_size", 3).generate("a boot", 5, 7);
      assertEquals(5, images.count());
      images.save(fromJava);
      assertEquals(4, images.image(0).getWidth());
    }
    for (int i = 0; i < 5; i++) {
      String name = String.format("images/%04d.png", i);
      assertArrayEquals(Files.readAllBytes(fromCli.resolve(name)), Files.readAllBytes(fromJava.resolve(name)), name);
    }
  }

  @Test
  void aWarmGeneratorServesManyPromptsAndRequestsVary() throws Exception {
    try (Tessera tessera = Tessera.open(plugins)) {
      assertTrue(tessera.pipelines().containsKey("tiny-gray") && tessera.pipelines().containsKey("clip-diffusion"));
      PipelineRequest gray = tessera.pipeline("tiny-gray").option("size", 8);
      try (Generator g = gray.option("level", 0.9).open()) {
        Images a = g.generate("one", 2, 1);
        Images b = g.generate("two", 3, 1);
        assertEquals(8, a.batch().height());
        assertEquals(3, b.count());
        assertEquals(0.9, b.batch().data()[0], 0.03);
        assertEquals("two", b.run().prompt());
      }
      assertEquals(0.5, gray.generate("default level", 1, 2).batch().data()[0], 0.03, "the request itself is unchanged");
    }
  }

  @Test
  void mistakesFailBeforeAnythingIsBuiltAndSavingKeepsWhatIsThere() throws Exception {
    try (Tessera tessera = Tessera.open(plugins)) {
      TesseraException typo = assertThrows(TesseraException.class, () -> tessera.pipeline("clip-diffusion").option("stesp", 10).spec());
      assertTrue(typo.getMessage().startsWith("Tessera.pipeline(\"clip-diffusion\"): pipeline 'clip-diffusion' has no option 'stesp' (its options: "),
          typo.getMessage());
      TesseraException range = assertThrows(TesseraException.class, () -> tessera.pipeline("clip-diffusion").option("steps", 0).spec());
      assertTrue(range.getMessage().contains("must be an integer in [1, 10000]") || range.getMessage().contains("'steps'"), range.getMessage());
      TesseraException option = assertThrows(TesseraException.class, () -> tessera.pipeline("tiny-gray").option("levle", 0.1).open());
      assertTrue(option.getMessage().startsWith("Tessera.pipeline(\"tiny-gray\"): pipeline 'tiny-gray' has no option 'levle'"), option.getMessage());

      Path used = Files.createDirectories(tmp.resolve("used"));
      Files.writeString(used.resolve("notes.txt"), "mine");
      Images images = tessera.pipeline("tiny-gray").generate("x", 1, 0);
      assertThrows(TesseraException.class, () -> images.save(used));
      images.save(used, true);
      assertEquals("mine", Files.readString(used.resolve("notes.txt")));
      assertTrue(Files.exists(used.resolve("manifest.json")));
    }
    assertThrows(TesseraException.class, () -> Tessera.open(tmp.resolve("no-plugins")));
  }
}
