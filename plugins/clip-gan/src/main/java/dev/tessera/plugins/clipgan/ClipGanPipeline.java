package dev.tessera.plugins.clipgan;

import dev.tessera.api.pipeline.LatentPipelineProvider;
import org.pf4j.Extension;

/** The {@code clip-gan} pipeline: the generator decodes [z, text embedding] in one pass. */
@Extension
public class ClipGanPipeline extends LatentPipelineProvider {
  public ClipGanPipeline() {
    super("clip-gan", "clip-gan", "CLIP text embedding + z ~ N(0, I) -> GAN generator (weight average), one pass");
  }
}
