package dev.tessera.plugins.vqgan;

import dev.tessera.api.augment.RandomViews;
import dev.tessera.api.options.NumberOption;
import dev.tessera.api.options.OptionSpec;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.pipeline.PipelineContext;
import dev.tessera.api.pipeline.PipelineOptions;
import dev.tessera.api.pipeline.AbstractPipelineProvider;
import java.util.List;
import org.pf4j.Extension;

/**
 * The {@code vqgan-clip} pipeline ({@link VqganClipPipeline}) on the VQGAN's weights, or the
 * VQ-VAE's when the VQGAN ships none.
 */
@Extension
public class VqganClipProvider extends AbstractPipelineProvider {
  public VqganClipProvider() {
    super("vqgan-clip", "latent code grid optimised by Adam so the decoded image maximises CLIP similarity to a weighted prompt "
        + "(VQGAN-CLIP)", "vqgan", "vqvae");
  }

  /** With start=prior: grids the prior draws per image, of which the guide's best-scored one is where the search starts. */
  static final NumberOption PRIOR_CANDIDATES = NumberOption.integer("prior_candidates", 1, 64,
      "with start=prior: the prior's draws per image; the search starts from the one the guide scores highest");

  @Override
  public List<OptionSpec> options() {
    // 24 cutouts: accuracy 0.52 where 8 gave 0.42; init noise 0.3: 0.60 / 0.64 / 0.66 on seeds 1-3 where 1.0 gave 0.52 / 0.56;
    // strong views: 0.67 where crops gave 0.59 (canvas start); the prior's start: 0.99 with diversity 81 of the real 86
    // (docs/vqgan-clip.md). 20 iterations: on Twemoji an independent CLIP matches 151 of 200 images where 100 gave 118;
    // on Fashion-MNIST accuracy 0.95 and FID 407 where 100 gave 0.99 and 781. prior_candidates 4: Twemoji text match 368 of 400
    // where 1 gave 316, but on Fashion-MNIST diversity 72.8 against 82.5 and 9 of 10 prompts warn of mode collapse.
    return List.of(OptionSpec.integer(PipelineOptions.ITERATIONS, 20), OptionSpec.number(PipelineOptions.LEARNING_RATE, 0.1),
        OptionSpec.path("init_image", "start from the encoder's latents of this PNG instead of random codes"),
        OptionSpec.integer(PipelineOptions.SAVE_EVERY, 0), OptionSpec.integer(PipelineOptions.CUTOUTS, 24),
        OptionSpec.choice("views", RandomViews.PRESET_NAMES, "strong", "the random views CLIP scores (dev.tessera.api.augment.RandomViews presets)"),
        OptionSpec.number(PipelineOptions.INIT_NOISE, 0.3), PipelineOptions.scoreGuidance("clip"),
        OptionSpec.choice("start", List.of("auto", "canvas", "prior"), "auto", "what the latents start from: a blank canvas plus "
            + "init_noise, or codes the transformer prior draws for the prompt's positive parts; auto: the prior where one ships weights "
            + "over this autoencoder's codes, else the canvas"),
        OptionSpec.text("prior", "gpt", "the prior model whose weight set over this autoencoder's codes draws the start (gpt: "
            + "gpt over vqgan, gpt:twemoji over vqgan:twemoji); a variant names one set"),
        OptionSpec.number(PipelineOptions.PRIOR_GUIDANCE_SCALE, 1.5),
        OptionSpec.integer(PRIOR_CANDIDATES, 1),
        OptionSpec.text("guide", "auto", "the CLIP weights that guide: a model reference (clip, clip:twemoji, ...) or a weights "
            + "folder (a path with a /); auto: the autoencoder's own CLIP"));
  }

  @Override
  public GenerationPipeline open(PipelineContext context) {
    return new VqganClipPipeline(context);
  }
}
