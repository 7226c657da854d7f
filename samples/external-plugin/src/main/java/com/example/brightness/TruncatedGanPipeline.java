package com.example.brightness;

import dev.tessera.api.options.OptionSpec;
import dev.tessera.api.pipeline.LatentPipelineProvider;
import dev.tessera.api.pipeline.PipelineOptions;
import java.util.List;
import org.pf4j.Extension;

/**
 * A way of generating this jar brings: the shipped CLIP+GAN generator under the truncation trick
 * (BigGAN, Brock et al. 2019), z drawn with standard deviation 0.7 instead of 1, which trades
 * variety for more typical images. It runs the clip-gan plugin's weights through api's
 * LatentPipeline; {@code ./tessera pipelines} lists it, {@code generate --pipeline
 * clip-gan-truncated} runs it and {@code compare} compares it, with nothing in the runtime naming it.
 */
@Extension
public class TruncatedGanPipeline extends LatentPipelineProvider {
  public TruncatedGanPipeline() {
    super("clip-gan-truncated", "clip-gan", "the CLIP+GAN generator with z ~ N(0, 0.7^2 I): the truncation trick");
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(PipelineOptions.temperature(0.7));
  }
}
