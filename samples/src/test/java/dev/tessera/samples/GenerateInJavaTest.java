package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java sample gives what the command line gives for the same settings, with the shipped plugins. */
class GenerateInJavaTest {
  @TempDir Path tmp;

  @Test
  void theSampleMatchesTheCommandLine() throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    Path manifest = GenerateInJava.run(CompareEndToEndTest.PLUGINS, tmp.resolve("java"));
    assertEquals(tmp.resolve("java/manifest.json"), manifest);
    CompareEndToEndTest.Run cli = CompareEndToEndTest.run("generate", "--pipeline", "clip-diffusion", "--scheduler", "dpm-solver++", "--steps",
        "20", "--prompt", "a photo of a bag", "--num-images", "4", "--seed", "1", "--output-dir", tmp.resolve("cli").toString());
    assertEquals(0, cli.exit(), cli.err());
    for (int i = 0; i < 4; i++) {
      String name = String.format("images/%04d.png", i);
      assertArrayEquals(Files.readAllBytes(tmp.resolve("cli").resolve(name)), Files.readAllBytes(tmp.resolve("java").resolve(name)), name);
    }
  }
}
