package dev.tessera.runtime.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.options.NumberOption;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Which pipeline to build and how: the command-line flags of {@code generate}, or the same as a
 * small JSON file ({@code --pipeline-file p.json}):
 *
 * <pre>{"pipeline": "clip-diffusion", "weights": "runs/diffusion", "scheduler": "ddim", "steps": 50,
 *  "guidance_scale": 2.0}</pre>
 *
 * Relative weights paths in a file are resolved against the file's folder.
 *
 * @param model the trained model whose weights drive the pipeline (null: the pipeline's default)
 * @param weights folder with config.json + model.safetensors (null: the model's shipped weights)
 * @param optimisation iterations, learning rate, init image, frames of the pipelines that optimise latents
 */
public record PipelineSpec(String pipeline, String model, Path weights, String device, String scheduler, int steps, float guidanceScale,
    double eta, int batchSize, Path priorWeights, float priorGuidanceScale, int candidates, String scoreGuidance, float scoreGuidanceScale,
    TokenOptions tokens, OptimisationOptions optimisation, Map<String, Object> options) {
  /** How an autoregressive prior draws each code: temperature (0: greedy), top-k (0: all), top-p (1: all). */
  public record TokenOptions(double temperature, int topK, double topP) {
    public TokenOptions {
      TEMPERATURE.check(temperature);
      TOP_K.checkInt(topK);
      TOP_P.check(topP);
    }

    public static TokenOptions defaults() {
      return new TokenOptions(1.0, 0, 1.0);
    }
  }

  /**
   * How a pipeline that optimises its latents (vqgan-clip) runs: Adam for {@code iterations} steps
   * at {@code learningRate}, starting from the encoded {@code initImage} (null: a blank canvas's
   * latents plus Gaussian noise of {@code initNoise} times the codebook's RMS, drawn from the seed),
   * scoring {@code cutouts} random crops per image and step, and writing the images every
   * {@code saveEvery} iterations (0: never) under {@code framesDir} (set by {@code generate} to
   * OUTPUT/frames; not a file key).
   */
  public record OptimisationOptions(int iterations, double learningRate, Path initImage, int saveEvery, int cutouts, double initNoise,
      Path framesDir) {
    public OptimisationOptions {
      ITERATIONS.checkInt(iterations);
      LEARNING_RATE.check(learningRate);
      SAVE_EVERY.checkInt(saveEvery);
      CUTOUTS.checkInt(cutouts);
      INIT_NOISE.check(initNoise);
    }

    public static OptimisationOptions defaults() {
      // 24 cutouts: accuracy 0.52 where 8 gave 0.42; init noise 0.3: 0.60 / 0.64 / 0.66 on seeds 1-3 where 1.0 gave 0.52 / 0.56
      // (docs/vqgan-clip.md), at the cost of variety.
      return new OptimisationOptions(100, 0.1, null, 0, 24, 0.3, null);
    }

    public OptimisationOptions withFramesDir(Path dir) {
      return new OptimisationOptions(iterations, learningRate, initImage, saveEvery, cutouts, initNoise, dir);
    }
  }

  // Every numeric option, declared once: the flags, a pipeline file's keys and the with* methods all
  // reach the canonical constructor, which checks them here.
  public static final NumberOption STEPS = NumberOption.integer("steps", 1, 10_000, "sampling steps");
  public static final NumberOption GUIDANCE_SCALE = NumberOption.real("guidance_scale", 0, 100, "classifier-free guidance; 1: none");
  public static final NumberOption ETA = NumberOption.real("eta", 0, 1, "DDIM's noise; 0: deterministic");
  public static final NumberOption BATCH_SIZE = NumberOption.integer("batch_size", 1, 4096, "images per session run");
  public static final NumberOption PRIOR_GUIDANCE_SCALE = NumberOption.real("prior_guidance_scale", 0, 100, "the prior's guidance");
  public static final NumberOption CANDIDATES = NumberOption.integer("candidates", 1, 64, "drawn per image, the best kept");
  public static final NumberOption SCORE_GUIDANCE_SCALE = NumberOption.real("score_guidance_scale", -10_000, 10_000, "score guidance; 0: off");
  public static final NumberOption TEMPERATURE = NumberOption.real("temperature", 0, 100, "sampling temperature; 0: greedy");
  public static final NumberOption TOP_K = NumberOption.integer("top_k", 0, 1 << 20, "the k most likely codes; 0: all");
  public static final NumberOption TOP_P = NumberOption.positive("top_p", 1, "nucleus mass; 1: all");
  public static final NumberOption ITERATIONS = NumberOption.integer("iterations", 1, 100_000, "optimisation steps");
  public static final NumberOption LEARNING_RATE = NumberOption.positive("learning_rate", 100, "the optimiser's step size").withFlag("--lr");
  public static final NumberOption SAVE_EVERY = NumberOption.integer("save_every", 0, 100_000, "iterations between frames; 0: none");
  public static final NumberOption CUTOUTS = NumberOption.integer("cutouts", 1, 1024, "crops CLIP scores per image and step");
  public static final NumberOption INIT_NOISE = NumberOption.real("init_noise", 0, 100, "noise on the starting latents");

  public PipelineSpec {
    options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
    STEPS.checkInt(steps);
    GUIDANCE_SCALE.check(guidanceScale);
    ETA.check(eta);
    BATCH_SIZE.checkInt(batchSize);
    PRIOR_GUIDANCE_SCALE.check(priorGuidanceScale);
    CANDIDATES.checkInt(candidates);
    SCORE_GUIDANCE_SCALE.check(scoreGuidanceScale);
  }

  static final Set<String> KEYS = Set.of("pipeline", "model", "weights", "device", "scheduler", "steps", "guidance_scale", "eta", "batch_size",
      "prior_weights", "prior_guidance_scale", "candidates", "score_guidance", "score_guidance_scale",
      "temperature", "top_k", "top_p", "iterations", "learning_rate", "init_image", "save_every", "cutouts", "init_noise");

  /** The flags' defaults for a pipeline (some differ per pipeline, see {@link Pipelines#defaultGuidanceScale}). */
  public static PipelineSpec of(String pipeline) {
    DiffusionPipeline.Options d = DiffusionPipeline.Options.defaults();
    return new PipelineSpec(pipeline, null, null, d.device(), d.scheduler(), d.steps(), Pipelines.defaultGuidanceScale(pipeline), d.eta(),
        d.batchSize(), null, 1f, 1, d.scoreGuidance(), d.scoreGuidanceScale(), TokenOptions.defaults(), OptimisationOptions.defaults(),
        Map.of());
  }

  public PipelineSpec withWeights(Path w) {
    return new PipelineSpec(pipeline, model, w, device, scheduler, steps, guidanceScale, eta, batchSize, priorWeights, priorGuidanceScale,
        candidates, scoreGuidance, scoreGuidanceScale, tokens, optimisation, options);
  }

  public PipelineSpec withSampling(String schedulerName, int n, float scale, double etaValue) {
    return new PipelineSpec(pipeline, model, weights, device, schedulerName, n, scale, etaValue, batchSize, priorWeights, priorGuidanceScale,
        candidates, scoreGuidance, scoreGuidanceScale, tokens, optimisation, options);
  }

  public PipelineSpec withDevice(String d) {
    return new PipelineSpec(pipeline, model, weights, d, scheduler, steps, guidanceScale, eta, batchSize, priorWeights, priorGuidanceScale,
        candidates, scoreGuidance, scoreGuidanceScale, tokens, optimisation, options);
  }

  public PipelineSpec withBatchSize(int b) {
    return new PipelineSpec(pipeline, model, weights, device, scheduler, steps, guidanceScale, eta, b, priorWeights, priorGuidanceScale,
        candidates, scoreGuidance, scoreGuidanceScale, tokens, optimisation, options);
  }

  /** DALL-E 2's prior: its weights folder (null: shipped, or DIR/prior when the weights folder has one) and guidance scale. */
  public PipelineSpec withPrior(Path w, float scale) {
    return new PipelineSpec(pipeline, model, weights, device, scheduler, steps, guidanceScale, eta, batchSize, w, scale,
        candidates, scoreGuidance, scoreGuidanceScale, tokens, optimisation, options);
  }

  /** A score-based guidance (e.g. "clip") and its scale (0: off), added to classifier-free guidance. */
  public PipelineSpec withScoreGuidance(String guidanceName, float scale) {
    return new PipelineSpec(pipeline, model, weights, device, scheduler, steps, guidanceScale, eta, batchSize, priorWeights, priorGuidanceScale,
        candidates, guidanceName, scale, tokens, optimisation, options);
  }

  /** Draw this many candidates per image and keep the one CLIP finds closest to the prompt. */
  public PipelineSpec withCandidates(int k) {
    return new PipelineSpec(pipeline, model, weights, device, scheduler, steps, guidanceScale, eta, batchSize, priorWeights, priorGuidanceScale, k,
        scoreGuidance, scoreGuidanceScale, tokens, optimisation, options);
  }

  /** How an autoregressive prior draws codes. */
  public PipelineSpec withTokens(TokenOptions t) {
    return new PipelineSpec(pipeline, model, weights, device, scheduler, steps, guidanceScale, eta, batchSize, priorWeights, priorGuidanceScale,
        candidates, scoreGuidance, scoreGuidanceScale, t, optimisation, options);
  }

  /**
   * Which weights a run used, for manifests: the --weights folder, or "shipped" with the model
   * reference when one was given ("shipped clip-diffusion:twemoji"), so a variant is recorded.
   */
  public String weightsDescription() {
    if (weights != null) {
      return weights.toString();
    }
    return model == null ? "shipped" : "shipped " + model;
  }

  /** The trained model whose weights drive the pipeline (null: the pipeline's default). */
  public PipelineSpec withModel(String m) {
    return new PipelineSpec(pipeline, m, weights, device, scheduler, steps, guidanceScale, eta, batchSize, priorWeights, priorGuidanceScale,
        candidates, scoreGuidance, scoreGuidanceScale, tokens, optimisation, options);
  }

  /**
   * A pipeline's own options beyond the shared ones ({@code --option key=value}, a pipeline file's
   * other keys), checked against what the pipeline declares when it is opened.
   */
  public PipelineSpec withOptions(Map<String, Object> o) {
    return new PipelineSpec(pipeline, model, weights, device, scheduler, steps, guidanceScale, eta, batchSize, priorWeights, priorGuidanceScale,
        candidates, scoreGuidance, scoreGuidanceScale, tokens, optimisation, o);
  }

  /** How an optimising pipeline (vqgan-clip) searches its latents. */
  public PipelineSpec withOptimisation(OptimisationOptions o) {
    return new PipelineSpec(pipeline, model, weights, device, scheduler, steps, guidanceScale, eta, batchSize, priorWeights, priorGuidanceScale,
        candidates, scoreGuidance, scoreGuidanceScale, tokens, o, options);
  }

  /** Reads a pipeline file; unknown keys are errors (a typo must not be silently ignored). */
  public static PipelineSpec read(Path file) {
    return fromKeys(ModelConfig.read(file), file.toAbsolutePath().getParent(), file.toString());
  }

  /**
   * A spec from a pipeline file's keys, however they were given (a file, or the Java API's
   * options): the same checks, relative paths resolved against {@code base}, errors prefixed with
   * {@code source}.
   */
  public static PipelineSpec fromKeys(ModelConfig c, Path base, String source) {
    String name = c.getString("pipeline", null);
    if (name == null) {
      throw new TesseraException(source + ": 'pipeline' is missing (e.g. \"pipeline\": \"clip-diffusion\")");
    }
    // A pipeline of the runtime's takes the keys above; one a plugin brings also takes its own
    // options, checked against its declarations when it is opened.
    Map<String, Object> own = new java.util.LinkedHashMap<>();
    for (Iterator<String> it = c.keys(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYS.contains(k)) {
        if (Pipelines.isBuiltIn(name)) {
          throw new TesseraException(source + ": unknown key '" + k + "' (known: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
        }
        own.put(k, c.node(k));
      }
    }
    PipelineSpec d = of(name);
    try {
      return new PipelineSpec(name, c.getString("model", null), path(base, source, c, "weights"), c.getString("device", d.device()),
          c.getString("scheduler", d.scheduler()), c.getPositiveInt("steps", d.steps()), getFloat(source, c, "guidance_scale", d.guidanceScale()),
          c.getDouble("eta", d.eta()), c.getPositiveInt("batch_size", d.batchSize()), path(base, source, c, "prior_weights"),
          getFloat(source, c, "prior_guidance_scale", d.priorGuidanceScale()), c.getPositiveInt("candidates", d.candidates()),
          c.getString("score_guidance", d.scoreGuidance()), getFloat(source, c, "score_guidance_scale", d.scoreGuidanceScale()),
          new TokenOptions(c.getDouble("temperature", d.tokens().temperature()), c.getInt("top_k", d.tokens().topK()),
              c.getDouble("top_p", d.tokens().topP())),
          new OptimisationOptions(c.getInt("iterations", d.optimisation().iterations()), c.getDouble("learning_rate", d.optimisation().learningRate()),
              path(base, source, c, "init_image"), c.getInt("save_every", d.optimisation().saveEvery()), c.getInt("cutouts", d.optimisation().cutouts()),
              c.getDouble("init_noise", d.optimisation().initNoise()), null), own);
    } catch (TesseraException e) {
      if (e.getMessage().startsWith(source)) {
        throw e;
      }
      // The options' own range checks ("top-p must be in (0, 1]") do not know which file they read.
      throw new TesseraException(source + ": " + e.getMessage(), e);
    }
  }

  private static Path path(Path base, String source, ModelConfig c, String key) {
    if (!c.has(key)) {
      return null;
    }
    JsonNode w = c.node(key);
    if (!w.isTextual()) {
      throw new TesseraException(source + ": '" + key + "' must be a path, got " + w);
    }
    try {
      return base.resolve(w.asText()).normalize();
    } catch (InvalidPathException e) { // a NUL or an unpaired surrogate
      throw new TesseraException(source + ": '" + key + "' is not a valid path: " + w);
    }
  }

  /** A number that fits a float: 1e39 is refused, not read as infinity. */
  private static float getFloat(String source, ModelConfig c, String key, float defaultValue) {
    double v = c.getDouble(key, defaultValue);
    if (Math.abs(v) > Float.MAX_VALUE) {
      throw new TesseraException(source + ": '" + key + "' must be a number within float range, got " + v);
    }
    return (float) v;
  }

  DiffusionPipeline.Options diffusionOptions() {
    return new DiffusionPipeline.Options(scheduler, steps, guidanceScale, eta, batchSize, device, DiffusionPipeline.Options.defaults().clipSample(),
        scoreGuidance, scoreGuidanceScale);
  }
}
