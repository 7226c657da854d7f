package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.runtime.embed.Generator;
import dev.tessera.runtime.embed.Images;
import dev.tessera.runtime.embed.PipelineRequest;
import dev.tessera.runtime.embed.Tessera;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching's promise with the shipped weights: requests merged into shared session runs
 * ({@code Generator.generateAll}, what {@code tessera serve} does) get the same image files, byte
 * for byte, as each request generated alone (latent diffusion: cross-attention over per-sample text states). The float values agree to about 1e-9 (clip-gan and
 * clip-diffusion exactly here; clip-vae's decoder rounds differently in its last bits when a run's
 * size differs, below what an 8-bit PNG can show).
 */
class MergedRequestsTest {
  @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp;
  static final List<GenerationPipeline.Request> REQUESTS = List.of(new GenerationPipeline.Request("a photo of a bag", 2, 1),
      new GenerationPipeline.Request("a photo of a sneaker", 3, 2), new GenerationPipeline.Request("a photo of a dress", 1, -5));

  void sameAsAlone(PipelineRequest request, String label) throws Exception {
    try (Generator g = request.open()) {
      assertTrue(g.mergesRequests());
      List<Images> merged = g.generateAll(REQUESTS, null);
      for (int i = 0; i < REQUESTS.size(); i++) {
        GenerationPipeline.Request r = REQUESTS.get(i);
        Images alone = g.generate(r.prompt(), r.count(), r.seed());
        float[] a = alone.batch().data();
        float[] m = merged.get(i).batch().data();
        assertEquals(a.length, m.length);
        for (int k = 0; k < a.length; k++) {
          assertEquals(a[k], m[k], 1e-6, label + " request " + i + " value " + k);
        }
        java.nio.file.Path one = alone.save(tmp.resolve(label + "-alone-" + i)).getParent();
        java.nio.file.Path both = merged.get(i).save(tmp.resolve(label + "-merged-" + i)).getParent();
        for (int k = 0; k < r.count(); k++) {
          String name = String.format("images/%04d.png", k);
          assertArrayEquals(Files.readAllBytes(one.resolve(name)), Files.readAllBytes(both.resolve(name)), label + " request " + i + " " + name);
        }
        assertEquals(r.prompt(), merged.get(i).run().prompt());
      }
    }
  }

  @Test
  void oneShotPipelines() throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("clip-gan.jar")), "plugins not packaged yet");
    try (Tessera tessera = Tessera.open(CompareEndToEndTest.PLUGINS)) {
      sameAsAlone(tessera.pipeline("clip-gan"), "gan");
      sameAsAlone(tessera.pipeline("clip-vae").option("batch_size", 4), "vae"); // runs cut across requests
    }
  }

  @Test
  void diffusionUnderDeterministicAndStochasticSamplers() throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    try (Tessera tessera = Tessera.open(CompareEndToEndTest.PLUGINS)) {
      sameAsAlone(tessera.pipeline("clip-diffusion").option("steps", 8), "ddim");
      sameAsAlone(tessera.pipeline("clip-diffusion").option("steps", 8).option("scheduler", "euler-a").option("batch_size", 2), "euler-a");
      sameAsAlone(tessera.pipeline("latent-diffusion").option("steps", 8).option("batch_size", 2), "latent-diffusion");
      try (Generator scored = tessera.pipeline("clip-diffusion").option("steps", 2).option("score_guidance_scale", 10).open()) {
        assertFalse(scored.mergesRequests(), "score guidance runs per prompt");
      }
    }
  }
}
