package dev.tessera.api.pipeline;

import dev.tessera.api.options.OptionSpec;
import java.util.List;

/**
 * A {@link LatentPipeline} as an extension: a plugin whose model decodes [z, text embedding] in one
 * pass (clip-gan, clip-vae) brings its pipeline with a subclass that names it. Option:
 * {@code temperature} (the standard deviation of z), default 1.
 */
public abstract class LatentPipelineProvider extends AbstractPipelineProvider {
  protected LatentPipelineProvider(String name, String model, String description) {
    super(name, description, model);
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(PipelineOptions.temperature(1));
  }

  @Override
  public GenerationPipeline open(PipelineContext context) {
    return new LatentPipeline(context);
  }
}
