package dev.tessera.plugins.diffusion;

import dev.tessera.api.pipeline.ScoreGradient;
import dev.tessera.api.pipeline.PromptTower;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.sampling.NoiseSchedule;
import dev.tessera.api.sampling.ChunkedSampling;
import dev.tessera.api.sampling.MergedSampling;
import dev.tessera.api.sampling.Scheduler;
import dev.tessera.api.sampling.Schedulers;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.pipeline.PipelineContext;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.graph.LoadedGraph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Text -> CLIP text embedding -> iterative diffusion decoder under a scheduler, with
 * classifier-free guidance: the {@code clip-diffusion} pipeline (and the decoder half of
 * {@code dalle2}, which passes an image embedding instead of a prompt). The decoder, the text
 * encoder, the tokenizer and the guidance are picked by name from the loaded plugins; the weights
 * (config.json + model.safetensors) hold the U-Net and the frozen text encoder it was trained with.
 *
 * <p>Each sampling step is one session run over the batch (twice the batch under guidance: the
 * conditional and unconditional halves run together). The loop is in Java.
 */
public final class DiffusionPipeline implements GenerationPipeline {
  /**
   * @param scheduler ddpm, ddim or dpm-solver++
   * @param steps sampling steps (at most the model's training timesteps)
   * @param guidanceScale classifier-free guidance scale; 1 = conditional only, 0 = unconditional
   * @param eta DDIM's stochasticity (0 = deterministic)
   * @param batchSize images per session run
   * @param clipSample clip each predicted clean image to [-clipSample, clipSample] (0: off)
   * @param scoreGuidance a score-based Guidance by name (e.g. "clip"), used when its scale is positive
   * @param scoreGuidanceScale how hard the score's gradient at the predicted clean image pushes
   *     (0: off); it is added as eps - scale * sqrt(1 - abar_t) * d score / d x0
   */
  public record Options(String scheduler, int steps, float guidanceScale, double eta, int batchSize, String device, double clipSample,
      String scoreGuidance, float scoreGuidanceScale) {
    /** The options a context holds (scheduler, steps, guidance_scale, eta, score_guidance, score_guidance_scale). */
    public static Options of(PipelineContext context) {
      dev.tessera.api.options.Options o = context.options();
      return new Options(o.getString("scheduler"), o.getInt("steps"), (float) o.getDouble("guidance_scale"), o.getDouble("eta"),
          context.batchSize(), context.device(), 1.0, o.getString("score_guidance"), (float) o.getDouble("score_guidance_scale"));
    }
  }

  private final String name;
  private final Options options;
  private final ModelConfig config;
  private final NoiseSchedule schedule;
  private final LoadedGraph<Parts> graph;
  private final int size;
  private final int channels;
  private final int conditionDim;
  private final String guidanceName;
  private final ComponentLookup components;

  public DiffusionPipeline(String name, ComponentLookup components, ModelWeights weights, Options options) {
    this.name = name;
    this.options = options;
    this.components = components;
    this.config = weights.config();
    Decoder decoder = components.decoder(config.getString("decoder", "clip-diffusion"));
    if (!decoder.iterative()) {
      throw new TesseraException("decoder '" + decoder.name() + "' is not a diffusion decoder");
    }
    this.schedule = NoiseSchedule.named(config.getString("beta_schedule", "cosine"), config.getPositiveInt("timesteps", 1000));
    if (options.steps() < 1 || options.steps() > schedule.steps()) {
      throw new TesseraException("--steps must be in 1.." + schedule.steps() + " (the model's timesteps), got " + options.steps());
    }
    if (options.batchSize() < 1) {
      throw new TesseraException("--batch-size must be positive, got " + options.batchSize());
    }
    Schedulers.create(options.scheduler(), schedule, options.eta(), components); // fail on an unknown name before building anything
    this.size = config.getPositiveInt("image_size", 28);
    this.channels = config.getPositiveInt("channels", 1);
    String conditionKind = config.getString("condition", "text");
    ModelConfig encoderConfig = config.section("text_encoder");
    this.conditionDim = conditionKind.equals("none") || encoderConfig == null ? 0 : encoderConfig.getPositiveInt("embed_dim", 0);
    boolean guided = conditionDim > 0 && options.guidanceScale() != 1f;
    Guidance guidance = guided ? components.guidance("classifier-free") : null;
    this.guidanceName = guided ? guidance.name() : "none";
    this.graph = LoadedGraph.build(options.device(), weights.parameters(), root -> {
      Ops tf = root.tf();
      Placeholder<TFloat32> noisy = tf.withName("noisy").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
      Placeholder<TFloat32> timesteps = tf.withName("timesteps").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TFloat32> condition =
          conditionDim > 0 ? tf.withName("condition").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, conditionDim))) : null;
      GraphScope scope = root.child(config.getString("scope", "diffusion"));
      Operand<TFloat32> epsilon;
      if (!guided) {
        epsilon = decoder.denoise(scope, config, noisy, timesteps, condition);
      } else {
        Operand<TFloat32> x2 = tf.concat(List.of(noisy, noisy), tf.constant(0));
        Operand<TFloat32> t2 = tf.concat(List.of(timesteps, timesteps), tf.constant(0));
        Operand<TFloat32> c2 = tf.concat(List.of(condition, tf.zerosLike(condition)), tf.constant(0));
        List<org.tensorflow.Output<TFloat32>> halves = tf.split(tf.constant(0), decoder.denoise(scope, config, x2, t2, c2), 2L).output();
        epsilon = guidance.combine(root, halves.get(0), halves.get(1), options.guidanceScale());
      }
      PromptTower prompts = conditionKind.equals("text") && encoderConfig != null ? new PromptTower(root, encoderConfig, components) : null;
      return new Parts(noisy, timesteps, condition, epsilon, prompts);
    });
  }

  /** The graph's inputs (condition null when unconditioned), the (guided) noise prediction, and the prompt tower (null without text). */
  private record Parts(Placeholder<TFloat32> noisy, Placeholder<TFloat32> timesteps, Placeholder<TFloat32> condition, Operand<TFloat32> epsilon,
      PromptTower prompts) {}

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("scheduler", options.scheduler());
    s.put("steps", options.steps());
    s.put("guidance", guidanceName);
    s.put("guidance_scale", options.guidanceScale());
    if (options.scoreGuidanceScale() > 0) {
      s.put("score_guidance", options.scoreGuidance());
      s.put("score_guidance_scale", options.scoreGuidanceScale());
    }
    if (options.scheduler().equals("ddim")) {
      s.put("eta", options.eta());
    }
    s.put("clip_sample", options.clipSample());
    s.put("batch_size", options.batchSize());
    s.put("image_size", size);
    return s;
  }

  @Override
  public long parameterCount() {
    return graph.parameters();
  }

  @Override
  public Double trainingSeconds() {
    return GenerationPipeline.trainingSeconds(config);
  }

  /** The CLIP text embedding of a prompt, as the model was trained on it. */
  public Embedding embedPrompt(String prompt) {
    PromptTower prompts = graph.parts().prompts();
    if (prompts == null) {
      throw new TesseraException("pipeline '" + name + "' is not conditioned on text");
    }
    return prompts.embed(graph.session(), prompt);
  }

  @Override
  public java.util.List<String> warnings(String prompt) {
    PromptTower prompts = graph.parts().prompts();
    return prompts == null ? java.util.List.of() : prompts.warnings(graph.session(), prompt);
  }

  @Override
  public ImageBatch generate(String prompt, int count, long seed, Progress progress) {
    Embedding e = graph.parts().prompts() == null ? null : embedPrompt(prompt);
    if (options.scoreGuidanceScale() <= 0) {
      return generate(e, count, seed, progress);
    }
    try (ScoreGradient score = scoreGradient(prompt)) {
      return sample(e, count, seed, progress, score);
    }
  }

  /** The named score guidance for a prompt, with the weights of the model of the same name when it ships some. */
  private ScoreGradient scoreGradient(String prompt) {
    Guidance g = components.guidance(options.scoreGuidance());
    ModelConfig guidanceConfig = ModelConfig.empty();
    dev.tessera.api.io.Parameters weights = null;
    if (components.hasModel(options.scoreGuidance())) {
      ModelWeights w = components.shippedWeights(options.scoreGuidance());
      if (w != null) {
        guidanceConfig = w.config();
        weights = w.parameters();
      }
    }
    // A guide with a text encoder of its own (CLIP) reads unknown words as the conditioning prompt tower does.
    dev.tessera.api.pipeline.KnownCaptions known = dev.tessera.api.pipeline.KnownCaptions.of(guidanceConfig);
    dev.tessera.api.pipeline.UnknownWordReading reading = known == null ? null
        : dev.tessera.api.pipeline.UnknownWordReading.of(dev.tessera.api.pipeline.VocabularyCheck.of(guidanceConfig, components), known,
            components.lexicon());
    String read = reading == null ? prompt : reading.read(prompt).prompt();
    return new ScoreGradient(g, guidanceConfig, weights, guidanceConfig.getString("scope", options.scoreGuidance()),
        dev.tessera.api.types.Condition.prompt(read), size, channels, options.device());
  }

  /**
   * Samples {@code count} images under a condition vector: one row for all images, or one row per
   * image (the image embeddings of a DALL-E 2 prior); null for an unconditional model.
   */
  public ImageBatch generate(Embedding conditionVectors, int count, long seed, Progress progress) {
    return sample(conditionVectors, count, seed, progress, null);
  }

  private ImageBatch sample(Embedding conditionVectors, int count, long seed, Progress progress, ScoreGradient score) {
    if (count < 1) {
      throw new TesseraException("--num-images must be positive, got " + count);
    }
    if (conditionDim > 0) {
      if (conditionVectors == null || conditionVectors.dim() != conditionDim
          || (conditionVectors.count() != 1 && conditionVectors.count() != count)) {
        throw new TesseraException("the model takes a condition of " + conditionDim + " values, one for all images or one per image");
      }
    }
    int pixels = size * size * channels;
    float[] out = ChunkedSampling.run(this::scheduler, count, options.batchSize(), pixels, seed,
        (x, t, from, n) -> guided(x, t, n, conditionDim > 0 ? conditionRows(conditionVectors, from, n) : null, score), progress);
    return images(out, count);
  }

  /** A fresh scheduler with the pipeline's sampler, steps and clipping. */
  private Scheduler scheduler() {
    Scheduler scheduler = Schedulers.create(options.scheduler(), schedule, options.eta(), components);
    scheduler.setClipSample(options.clipSample());
    scheduler.setTimesteps(options.steps());
    return scheduler;
  }

  /** Samples in [-1, 1] -> images in [0, 1]. */
  private ImageBatch images(float[] out, int count) {
    for (int i = 0; i < out.length; i++) {
      float v = (out[i] + 1f) * 0.5f;
      out[i] = v >= 1f ? 1f : (v > 0f ? v : 0f);
    }
    return new ImageBatch(count, size, size, channels, out);
  }

  /** Merges requests into shared U-Net runs, unless a score guidance (which runs per prompt) is on. */
  @Override
  public boolean mergesRequests() {
    return options.scoreGuidanceScale() <= 0 && (conditionDim == 0 || graph.parts().prompts() != null);
  }

  /**
   * Every request's chunks step together ({@link MergedSampling}), each with the noise and
   * scheduler it has alone and its prompt's embedding as its rows' condition: one U-Net run per
   * step for all of them.
   */
  @Override
  public List<ImageBatch> generateAll(List<Request> requests, Progress progress) {
    if (!mergesRequests() || requests.size() == 1) {
      return GenerationPipeline.super.generateAll(requests, progress);
    }
    int total = Request.total(requests);
    Embedding rows = null;
    if (conditionDim > 0) {
      float[] values = new float[total * conditionDim];
      for (int r = 0, at = 0; r < requests.size(); r++) {
        Embedding e = embedPrompt(requests.get(r).prompt());
        for (int i = 0; i < requests.get(r).count(); i++, at++) {
          System.arraycopy(e.values(), 0, values, at * conditionDim, conditionDim);
        }
      }
      rows = new Embedding(total, conditionDim, values);
    }
    Embedding condition = rows;
    float[][] out = MergedSampling.run(this::scheduler, requests, options.batchSize(), size * size * channels,
        (x, t, from, n) -> guided(x, t, n, condition == null ? null : conditionRows(condition, from, n), null), progress);
    List<ImageBatch> images = new java.util.ArrayList<>();
    for (int r = 0; r < requests.size(); r++) {
      images.add(images(out[r], requests.get(r).count()));
    }
    return images;
  }

  /**
   * The noise prediction with a score guidance's push added: the score's gradient at the
   * predicted clean image (in [0, 1]), or at the noisy sample itself for a guidance that scores
   * noisy samples (classifier guidance), scaled by sqrt(1 - abar_t), so it fades as the noise does.
   */
  private float[] guided(float[] x, int t, int n, float[] cond, ScoreGradient score) {
    float[] eps = epsilon(x, t, n, cond);
    if (score == null) {
      return eps;
    }
    if (score.scoresNoisySamples()) {
      // Classifier guidance (Dhariwal and Nichol 2021): eps - s * sqrt(1 - abar_t) * d log p(y | x_t) / d x_t.
      float[] g = score.gradientAt(x, t, n);
      float k = (float) (options.scoreGuidanceScale() * Math.sqrt(1 - schedule.alphaCumprod(t)));
      for (int i = 0; i < eps.length; i++) {
        eps[i] -= k * g[i];
      }
      return eps;
    }
    float[] x0 = schedule.predictX0(x, eps, t);
    float[] image = new float[x0.length];
    for (int i = 0; i < x0.length; i++) {
      image[i] = Math.max(0f, Math.min(1f, (x0[i] + 1f) * 0.5f));
    }
    float[] g = score.gradient(image, n);
    // d image / d x0 = 1/2 inside the clip range
    float k = (float) (options.scoreGuidanceScale() * Math.sqrt(1 - schedule.alphaCumprod(t)) * 0.5);
    for (int i = 0; i < eps.length; i++) {
      eps[i] -= k * g[i];
    }
    return eps;
  }

  /** One session run: the (guided) noise prediction for a chunk of {@code n} samples at timestep t. */
  private float[] epsilon(float[] sample, int t, int n, float[] cond) {
    float[] ts = new float[n];
    java.util.Arrays.fill(ts, t);
    try (TFloat32 xb = Tensors.floats(new long[] {n, size, size, channels}, sample);
        TFloat32 tb = Tensors.floats(new long[] {n}, ts);
        TFloat32 cb = cond == null ? null : Tensors.floats(new long[] {n, conditionDim}, cond)) {
      Parts p = graph.parts();
      Session.Runner r = graph.session().runner().feed(p.noisy(), xb).feed(p.timesteps(), tb).fetch(p.epsilon());
      if (cb != null) {
        r.feed(p.condition(), cb);
      }
      try (Result res = r.run()) {
        return Tensors.toFloats(res.get(0));
      }
    }
  }

  private float[] conditionRows(Embedding e, int from, int n) {
    float[] rows = new float[n * conditionDim];
    for (int i = 0; i < n; i++) {
      System.arraycopy(e.values(), (e.count() == 1 ? 0 : from + i) * conditionDim, rows, i * conditionDim, conditionDim);
    }
    return rows;
  }

  @Override
  public void close() {
    graph.close();
  }
}
