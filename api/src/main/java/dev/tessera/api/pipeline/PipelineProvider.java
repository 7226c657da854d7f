package dev.tessera.api.pipeline;

import dev.tessera.api.options.OptionSpec;
import dev.tessera.api.spi.Component;
import java.util.List;

/**
 * A way of generating, as an extension: a plugin that implements this brings a pipeline that
 * {@code ./tessera plugins} lists with its options, {@code generate --pipeline NAME} runs and
 * {@code compare} compares beside the shipped ones, with nothing in the runtime naming it.
 *
 * <p>The runtime resolves what every pipeline shares (the weights: {@code --weights}, {@code
 * --model} or the first of {@link #defaultModels} that ships some; the device; the batch size;
 * re-ranking by CLIP with {@code --candidates}; writing the images and the manifest), checks the
 * user's options against {@link #options} and calls {@link #open}. The pipeline picks its parts by
 * name through {@link PipelineContext#components()}, as the weights' config.json names them.
 */
public interface PipelineProvider extends Component {
  /**
   * The models whose shipped weights the pipeline runs when none is named, in order of
   * preference (the first that is loaded and ships weights); empty when it needs no weights.
   */
  List<String> defaultModels();

  /** This pipeline's own options (keys of a pipeline file, {@code --option key=value}), with defaults and ranges. */
  default List<OptionSpec> options() {
    return List.of();
  }

  /** Builds the pipeline: graphs, sessions, loaded weights. The caller closes it. */
  GenerationPipeline open(PipelineContext context);
}
