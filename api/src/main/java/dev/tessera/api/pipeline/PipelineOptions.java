package dev.tessera.api.pipeline;

import dev.tessera.api.options.NumberOption;
import dev.tessera.api.options.OptionSpec;
import dev.tessera.api.sampling.Schedulers;

/**
 * The options several pipelines share, declared once so that a key means the same thing, with the
 * same range, in every pipeline that takes it (and the command line's flags of the same name reach
 * them all). A pipeline lists the ones it takes in {@link PipelineProvider#options()}, with its own
 * defaults: {@code PipelineOptions.steps(50)}, {@code PipelineOptions.guidanceScale(2)}.
 */
public final class PipelineOptions {
  private PipelineOptions() {}

  // Settings every pipeline shares (not options: PipelineSpec's own fields).
  public static final NumberOption BATCH_SIZE = NumberOption.integer("batch_size", 1, 4096, "images per session run");
  public static final NumberOption CANDIDATES = NumberOption.integer("candidates", 1, 64, "drawn per image, the best kept");

  public static final NumberOption STEPS = NumberOption.integer("steps", 1, 10_000, "sampling steps");
  public static final NumberOption GUIDANCE_SCALE = NumberOption.real("guidance_scale", 0, 100, "classifier-free guidance; 1: none");
  public static final NumberOption ETA = NumberOption.real("eta", 0, 1, "DDIM's noise; 0: deterministic");
  public static final NumberOption PRIOR_GUIDANCE_SCALE = NumberOption.real("prior_guidance_scale", 0, 100, "the prior's guidance");
  public static final NumberOption SCORE_GUIDANCE_SCALE = NumberOption.real("score_guidance_scale", -10_000, 10_000, "score guidance; 0: off");
  public static final NumberOption TEMPERATURE = NumberOption.real("temperature", 0, 100, "sampling temperature; 0: greedy");
  public static final NumberOption TOP_K = NumberOption.integer("top_k", 0, 1 << 20, "the k most likely codes; 0: all");
  public static final NumberOption TOP_P = NumberOption.positive("top_p", 1, "nucleus mass; 1: all");
  public static final NumberOption ITERATIONS = NumberOption.integer("iterations", 1, 100_000, "optimisation steps");
  public static final NumberOption LEARNING_RATE = NumberOption.positive("learning_rate", 100, "the optimiser's step size").withFlag("--lr");
  public static final NumberOption SAVE_EVERY = NumberOption.integer("save_every", 0, 100_000, "iterations between frames; 0: none");
  public static final NumberOption CUTOUTS = NumberOption.integer("cutouts", 1, 1024, "random views CLIP scores per image and step");
  public static final NumberOption INIT_NOISE = NumberOption.real("init_noise", 0, 100, "noise on the starting latents");

  /** A sampler by name: the built-in ones ({@link Schedulers#NAMES}) or one a plugin brings. */
  public static OptionSpec scheduler(String defaultName) {
    return OptionSpec.text("scheduler", defaultName, "sampler: " + String.join(", ", Schedulers.NAMES) + " or a plugin's");
  }

  public static OptionSpec steps(int defaultSteps) {
    return OptionSpec.integer(STEPS, defaultSteps);
  }

  public static OptionSpec guidanceScale(double defaultScale) {
    return OptionSpec.number(GUIDANCE_SCALE, defaultScale);
  }

  public static OptionSpec eta() {
    return OptionSpec.number(ETA, 0);
  }

  /** A score guidance by name (a Guidance component: "clip", "noisy-classifier", a plugin's). */
  public static OptionSpec scoreGuidance(String defaultName) {
    return OptionSpec.text("score_guidance", defaultName, "score guidance by name (./tessera plugins lists them)");
  }

  public static OptionSpec scoreGuidanceScale(double defaultScale) {
    return OptionSpec.number(SCORE_GUIDANCE_SCALE, defaultScale);
  }

  public static OptionSpec temperature(double defaultTemperature) {
    return OptionSpec.number(TEMPERATURE, defaultTemperature);
  }
}
