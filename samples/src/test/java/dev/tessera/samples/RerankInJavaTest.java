package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.runtime.embed.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Re-ranking through the Java API keeps candidates CLIP finds closer, on the shipped weights of two plugins. */
class RerankInJavaTest {
  @TempDir Path tmp;

  @Test
  void reRankingKeepsTheCandidatesClipFindsClosest() {
    for (String model : new String[] {"clip-gan", "clip-vae"}) {
      assumeTrue(Files.exists(ComposeRerankedTest.PLUGINS.resolve(model + ".jar")), "plugins not packaged yet");
      Images images = RerankInJava.run(ComposeRerankedTest.PLUGINS, model, "a photo of a bag", 6, 4, 3, tmp.resolve(model));
      assertEquals(6, images.count());
      double first = ((Number) images.run().results().get("clip_similarity_first_candidates")).doubleValue();
      double kept = ((Number) images.run().results().get("clip_similarity_kept")).doubleValue();
      assertTrue(kept > first, model + ": " + kept + " vs " + first);
      assertTrue(Files.exists(tmp.resolve(model).resolve("images/0005.png")));
    }
  }
}
