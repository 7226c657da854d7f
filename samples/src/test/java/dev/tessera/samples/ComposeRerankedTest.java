package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The composed CLIP+GAN and CLIP+VAE generators with CLIP re-ranking, on the shipped weights of two plugins. */
class ComposeRerankedTest {
  static final Path PLUGINS = Path.of(System.getProperty("tessera.test.plugins", "../runtime/target/dist/plugins"));
  @TempDir Path tmp;

  @Test
  void reRankingKeepsTheCandidatesClipFindsClosest() {
    for (String model : new String[] {"clip-gan", "clip-vae"}) {
      assumeTrue(Files.exists(PLUGINS.resolve(model + ".jar")), "plugins not packaged yet");
      Path out = tmp.resolve(model);
      ComposeReranked.Result r = ComposeReranked.run(PLUGINS, model, "a photo of a bag", 6, 4, 3, out);
      assertEquals(6, r.images().count());
      assertEquals(28, r.images().batch().height());
      assertTrue(r.reranked() > r.firstCandidates(), model + ": " + r.reranked() + " vs " + r.firstCandidates());
      assertTrue(Files.exists(out.resolve("grid.png")) && Files.exists(out.resolve("images/0005.png")));
      assertEquals(4, r.images().run().settings().get("candidates"));
    }
  }
}
