package dev.tessera.plugins.latentdiffusion;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.LoadedGraph;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.pipeline.Batches;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.pipeline.PipelineContext;
import dev.tessera.api.pipeline.PromptTower;
import dev.tessera.api.sampling.ChunkedSampling;
import dev.tessera.api.sampling.ClassifierFree;
import dev.tessera.api.sampling.MergedSampling;
import dev.tessera.api.sampling.NoiseSchedule;
import dev.tessera.api.sampling.Scheduler;
import dev.tessera.api.sampling.Schedulers;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.types.ImageBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Prompt -> CLIP per-token states -> a scheduler denoises latents with the U-Net, under
 * classifier-free guidance (the conditional and unconditional halves in one session run) -> the
 * latents, times the training scale, through the frozen autoencoder's decoder (a VQ autoencoder's
 * snapped to its codebook first, as latent diffusion does; {@code quantize}: auto, on, off): the
 * {@code latent-diffusion} pipeline. Samples are drawn in chunks of {@code batch_size}, each seeded
 * from (seed, chunk) ({@link ChunkedSampling}).
 *
 * <p>The scheduler clips each predicted clean sample to +-{@code clip_sample} (the latents have
 * unit standard deviation): under the cosine schedule abar is almost 0 at the first steps, so
 * x0 = (x_t - sqrt(1 - abar) eps) / sqrt(abar) amplifies the noise prediction's error, and
 * without the clip the samples decode to speckle (docs/model-cards/latent-diffusion.md).
 */
final class LatentDiffusionPipeline implements GenerationPipeline {
  private final String name;
  private final String scheduler;
  private final int steps;
  private final float guidanceScale;
  private final double eta;
  private final boolean quantize;
  private final double clipSample;
  private final int batchSize;
  private final ModelConfig config;
  private final LatentDiffusionConfig c;
  private final NoiseSchedule schedule;
  private final ComponentLookup components;
  private final LoadedGraph<Parts> graph;
  private final float latentStd;
  private final Map<String, Object> modelSettings;

  /**
   * The prompt tower (run once per prompt), the noise prediction's inputs (the prompt's states fed
   * back as one row each) and output, and latents -> images.
   */
  private record Parts(PromptTower prompts, Placeholder<TFloat32> states, Placeholder<TFloat32> mask, Placeholder<TFloat32> pooled,
      Encoder.TextStates perSample, Placeholder<TFloat32> noisy, Placeholder<TFloat32> timesteps, Operand<TFloat32> epsilon,
      Placeholder<TFloat32> latents, Operand<TFloat32> images, Operand<TFloat32> std) {}

  LatentDiffusionPipeline(PipelineContext context) {
    this.name = context.name();
    this.modelSettings = context.modelSettings();
    this.scheduler = context.options().getString("scheduler");
    this.steps = context.options().getInt("steps");
    this.guidanceScale = (float) context.options().getDouble("guidance_scale");
    this.eta = context.options().getDouble("eta");
    this.clipSample = context.options().getDouble("clip_sample");
    this.batchSize = context.batchSize();
    this.components = context.components();
    this.config = context.weights().config();
    this.c = LatentDiffusionConfig.from(config);
    String snap = context.options().getString("quantize");
    this.quantize = snap.equals("auto") ? !c.firstStage().kl() : snap.equals("on");
    this.schedule = c.schedule();
    if (steps > schedule.steps()) {
      throw new TesseraException("--steps must be in 1.." + schedule.steps() + " (the model's timesteps), got " + steps);
    }
    Schedulers.create(scheduler, schedule, eta, components); // an unknown scheduler fails before anything is built
    boolean guided = guidanceScale != 1f;
    this.graph = LoadedGraph.build(context.device(), context.weights().parameters(), root -> build(root, guided));
    try (Result r = graph.session().runner().fetch(graph.parts().std()).run()) {
      this.latentStd = ((TFloat32) r.get(0)).getFloat();
    }
    if (!(latentStd > 0)) {
      graph.close();
      throw new TesseraException(config.source() + ": the weights' latent scale (" + LatentDiffusionModel.LATENT_STD + ") is " + latentStd
          + ": were they trained?");
    }
  }

  private Parts build(GraphScope root, boolean guided) {
    Ops tf = root.tf();
    int g = c.grid();
    PromptTower prompts = PromptTower.withStates(root, c.encoder(), components);
    Placeholder<TFloat32> noisy = tf.withName("noisy").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, g, g, c.latentChannels())));
    Placeholder<TFloat32> timesteps = tf.withName("timesteps").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
    // The prompt's states, computed once per prompt and fed back as one row, repeated for every sample of the chunk.
    long length = c.unet().contextLength();
    Placeholder<TFloat32> states = tf.withName("text_states").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, length, c.unet().contextDim())));
    Placeholder<TFloat32> mask = tf.withName("text_mask").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, length)));
    Placeholder<TFloat32> pooled = tf.withName("text_embedding").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, c.unet().conditionDim())));
    Operand<TInt32> n = tf.slice(tf.shape(noisy), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Encoder.TextStates text = new Encoder.TextStates(
        tf.tile(states, tf.concat(List.of(n, tf.constant(new int[] {1, 1})), tf.constant(0))),
        tf.tile(mask, tf.concat(List.of(n, tf.constant(new int[] {1})), tf.constant(0))),
        tf.tile(pooled, tf.concat(List.of(n, tf.constant(new int[] {1})), tf.constant(0))));
    GraphScope scope = root.child(config.getString("scope", "latent_diffusion"));
    Operand<TFloat32> epsilon;
    if (!guided) {
      epsilon = LatentDenoiser.epsilon(scope, c, noisy, timesteps, text);
    } else {
      // Conditional and unconditional (zeroed text, as in training's condition dropout) halves in one run.
      Encoder.TextStates both = new Encoder.TextStates(
          tf.concat(List.of(text.states(), tf.zerosLike(text.states())), tf.constant(0)),
          tf.concat(List.of(text.mask(), text.mask()), tf.constant(0)),
          tf.concat(List.of(text.embedding(), tf.zerosLike(text.embedding())), tf.constant(0)));
      Operand<TFloat32> eps2 = LatentDenoiser.epsilon(scope, c, tf.concat(List.of(noisy, noisy), tf.constant(0)),
          tf.concat(List.of(timesteps, timesteps), tf.constant(0)), both);
      List<org.tensorflow.Output<TFloat32>> halves = tf.split(tf.constant(0), eps2, 2L).output();
      epsilon = ClassifierFree.combine(tf, halves.get(0), halves.get(1), guidanceScale);
    }
    Operand<TFloat32> std = scope.buffer(LatentDiffusionModel.LATENT_STD, new long[0], Initializers.zeros());
    Placeholder<TFloat32> latents = tf.withName("latents").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, g, g, c.latentChannels())));
    Operand<TFloat32> images = c.firstStage().decode(root, components, tf.math.mul(latents, std), quantize);
    return new Parts(prompts, states, mask, pooled, text, noisy, timesteps, epsilon, latents, images, std);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>(modelSettings);
    s.put("scheduler", scheduler);
    s.put("steps", steps);
    s.put("guidance_scale", guidanceScale);
    if (scheduler.equals("ddim")) {
      s.put("eta", eta);
    }
    s.put("quantize", quantize);
    s.put("clip_sample", clipSample);
    s.put("latent_grid", List.of(c.grid(), c.grid(), c.latentChannels()));
    s.put("latent_std", latentStd);
    s.put("autoencoder", config.getString("autoencoder_model", LatentDiffusionConfig.AUTOENCODER.defaultModel()));
    s.put("batch_size", batchSize);
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

  @Override
  public List<String> warnings(String prompt) {
    return graph.parts().prompts().warnings(graph.session(), prompt);
  }

  @Override
  public ImageBatch generate(String prompt, int count, long seed, Progress progress) {
    if (count < 1) {
      throw new TesseraException("--num-images must be positive, got " + count);
    }
    Parts p = graph.parts();
    int values = c.grid() * c.grid() * c.latentChannels();
    float[] latents;
    Encoder.TextStates one = p.prompts().states();
    try (TInt32 tokens = p.prompts().tokensOf(graph.session(), prompt);
        Result text = p.prompts().feed(graph.session().runner(), tokens).fetch(one.states()).fetch(one.mask()).fetch(one.embedding()).run()) {
      TFloat32 states = (TFloat32) text.get(0);
      TFloat32 mask = (TFloat32) text.get(1);
      TFloat32 pooled = (TFloat32) text.get(2);
      latents = ChunkedSampling.run(this::newScheduler, count, batchSize, values, seed, (x, t, from, n) -> epsilon(states, mask, pooled, x, t, n),
          progress);
    }
    return decode(latents, count);
  }

  private Scheduler newScheduler() {
    Scheduler s = Schedulers.create(scheduler, schedule, eta, components);
    s.setClipSample(clipSample);
    s.setTimesteps(steps);
    return s;
  }

  /** Latents (scaled to unit standard deviation) -> images, in runs of at most the batch size. */
  private ImageBatch decode(float[] all, int count) {
    Parts p = graph.parts();
    int values = c.grid() * c.grid() * c.latentChannels();
    return Batches.draw(count, batchSize, null, (from, n) -> {
      float[] chunk = java.util.Arrays.copyOfRange(all, from * values, (from + n) * values);
      try (TFloat32 z = Tensors.floats(new long[] {n, c.grid(), c.grid(), c.latentChannels()}, chunk);
          Result r = graph.session().runner().feed(p.latents(), z).fetch(p.images()).run()) {
        return Tensors.toImages(r.get(0)).clamped();
      }
    });
  }

  @Override
  public boolean mergesRequests() {
    return true;
  }

  /**
   * Every request's chunks step together ({@link MergedSampling}) with the noise and scheduler each
   * has alone; each prompt's states, mask and pooled embedding are computed alone, as generate
   * computes them, and fed as its samples' rows of the per-sample text: one U-Net run per step.
   */
  @Override
  public List<ImageBatch> generateAll(List<Request> requests, Progress progress) {
    if (requests.size() == 1) {
      return GenerationPipeline.super.generateAll(requests, progress);
    }
    Parts p = graph.parts();
    Encoder.TextStates one = p.prompts().states();
    int total = Request.total(requests);
    int[] counts = requests.stream().mapToInt(Request::count).toArray();
    List<float[][]> texts = new java.util.ArrayList<>();
    for (Request q : requests) {
      try (TInt32 tokens = p.prompts().tokensOf(graph.session(), q.prompt());
          Result text = p.prompts().feed(graph.session().runner(), tokens).fetch(one.states()).fetch(one.mask()).fetch(one.embedding()).run()) {
        texts.add(new float[][] {Tensors.toFloats(text.get(0)), Tensors.toFloats(text.get(1)), Tensors.toFloats(text.get(2))});
      }
    }
    long length = c.unet().contextLength();
    int[] widths = {texts.get(0)[0].length, texts.get(0)[1].length, texts.get(0)[2].length};
    float[][] rows = {new float[total * widths[0]], new float[total * widths[1]], new float[total * widths[2]]};
    for (int r = 0, at = 0; r < counts.length; r++) {
      for (int i = 0; i < counts[r]; i++, at++) {
        for (int k = 0; k < 3; k++) {
          System.arraycopy(texts.get(r)[k], 0, rows[k], at * widths[k], widths[k]);
        }
      }
    }
    int values = c.grid() * c.grid() * c.latentChannels();
    long[][] shapes = {{0, length, c.unet().contextDim()}, {0, length}, {0, c.unet().conditionDim()}};
    float[][] latents = MergedSampling.run(this::newScheduler, requests, batchSize, values, (x, t, from, n) -> {
      float[] ts = new float[n];
      java.util.Arrays.fill(ts, t);
      TFloat32[] fed = new TFloat32[3];
      try {
        for (int k = 0; k < 3; k++) {
          long[] shape = shapes[k].clone();
          shape[0] = n;
          fed[k] = Tensors.floats(shape, java.util.Arrays.copyOfRange(rows[k], from * widths[k], (from + n) * widths[k]));
        }
        try (TFloat32 xb = Tensors.floats(new long[] {n, c.grid(), c.grid(), c.latentChannels()}, x); TFloat32 tb = Tensors.floats(new long[] {n}, ts);
            Result r = graph.session().runner().feed(p.perSample().states(), fed[0]).feed(p.perSample().mask(), fed[1])
                .feed(p.perSample().embedding(), fed[2]).feed(p.noisy(), xb).feed(p.timesteps(), tb).fetch(p.epsilon()).run()) {
          return Tensors.toFloats(r.get(0));
        }
      } finally {
        for (TFloat32 f : fed) {
          if (f != null) {
            f.close();
          }
        }
      }
    }, progress);
    List<ImageBatch> out = new java.util.ArrayList<>();
    for (int r = 0; r < counts.length; r++) {
      out.add(decode(latents[r], counts[r]));
    }
    return out;
  }

  /** One session run: the (guided) noise prediction for a chunk of n latents at timestep t. */
  private float[] epsilon(TFloat32 states, TFloat32 mask, TFloat32 pooled, float[] x, int t, int n) {
    float[] ts = new float[n];
    java.util.Arrays.fill(ts, t);
    Parts p = graph.parts();
    try (TFloat32 xb = Tensors.floats(new long[] {n, c.grid(), c.grid(), c.latentChannels()}, x); TFloat32 tb = Tensors.floats(new long[] {n}, ts);
        Result r = graph.session().runner().feed(p.states(), states).feed(p.mask(), mask).feed(p.pooled(), pooled).feed(p.noisy(), xb)
            .feed(p.timesteps(), tb).fetch(p.epsilon()).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  @Override
  public void close() {
    graph.close();
  }
}
