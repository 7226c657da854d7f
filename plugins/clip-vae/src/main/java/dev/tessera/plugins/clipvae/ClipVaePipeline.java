package dev.tessera.plugins.clipvae;

import dev.tessera.api.pipeline.LatentPipelineProvider;
import org.pf4j.Extension;

/** The {@code clip-vae} pipeline: the conditional VAE's decoder turns [z, text embedding] into images in one pass. */
@Extension
public class ClipVaePipeline extends LatentPipelineProvider {
  public ClipVaePipeline() {
    super("clip-vae", "clip-vae", "CLIP text embedding + z ~ N(0, I) -> conditional VAE decoder, one pass");
  }
}
