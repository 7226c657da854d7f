package dev.tessera.samples;

import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import org.junit.jupiter.api.Test;

/** Not a test: prints how long opening pipelines takes (run with -Dtest=OpenTimeProbe). */
class OpenTimeProbe {
  @Test
  void probe() {
    if (!Boolean.getBoolean("tessera.probe")) {
      return;
    }
    try (PluginRuntime runtime = PluginRuntime.load(CompareEndToEndTest.PLUGINS)) {
      Components c = Components.create(runtime);
      for (String name : new String[] {"clip-gan", "clip-gan", "latent-diffusion", "latent-diffusion"}) {
        long t0 = System.nanoTime();
        try (GenerationPipeline p = Pipelines.open(c, PipelineSpec.of(name))) {
          long t1 = System.nanoTime();
          p.warnings("a photo of a bag");
          long t2 = System.nanoTime();
          p.generate("a photo of a bag", 1, 1, null);
          long t3 = System.nanoTime();
          System.out.printf("PROBE %s open %.3f s, warnings %.3f s, generate %.3f s%n", name, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        }
        long u0 = System.nanoTime();
        try (GenerationPipeline p = Pipelines.open(c, PipelineSpec.of(name))) {
          long u1 = System.nanoTime();
          p.generate("a photo of a bag", 1, 1, null);
          long u2 = System.nanoTime();
          System.out.printf("PROBE %s open %.3f s, no warnings, generate %.3f s%n", name, (u1 - u0) / 1e9, (u2 - u1) / 1e9);
        }
      }
    }
  }
}
