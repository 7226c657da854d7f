package dev.tessera.plugins.diffusion;

import dev.tessera.api.options.OptionSpec;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.pipeline.PipelineContext;
import dev.tessera.api.pipeline.PipelineOptions;
import dev.tessera.api.pipeline.AbstractPipelineProvider;
import java.util.List;
import org.pf4j.Extension;

/**
 * The {@code clip-diffusion} pipeline: CLIP text embedding -> diffusion U-Net under a scheduler,
 * classifier-free guidance, optionally a score guidance ({@link DiffusionPipeline}).
 */
@Extension
public class ClipDiffusionProvider extends AbstractPipelineProvider {
  public ClipDiffusionProvider() {
    super("clip-diffusion", "CLIP text embedding -> diffusion U-Net under a scheduler, classifier-free guidance", "clip-diffusion");
  }

  /**
   * The sampling options of a diffusion decoder, with its guidance scale: 2 for clip-diffusion (accuracy
   * 0.920 and FID 2.9x the floor at n = 1,000), 3 for dalle2.
   */
  static List<OptionSpec> samplingOptions(double guidanceScale) {
    return List.of(PipelineOptions.scheduler("ddim"), PipelineOptions.steps(50), PipelineOptions.guidanceScale(guidanceScale),
        PipelineOptions.eta(), PipelineOptions.scoreGuidance("clip"), PipelineOptions.scoreGuidanceScale(0));
  }

  @Override
  public List<OptionSpec> options() {
    return samplingOptions(2);
  }

  @Override
  public GenerationPipeline open(PipelineContext context) {
    return new DiffusionPipeline(context.name(), context.components(), context.weights(), DiffusionPipeline.Options.of(context));
  }
}
