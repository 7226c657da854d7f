package dev.tessera.api.pipeline;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.sampling.Scheduler;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.graph.LoadedGraph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Prompt -> CLIP text embedding c; z ~ N(0, t^2 I) from the seed, t the option "temperature"
 * (default 1; below 1 is the "truncation trick": more typical samples, less variety); a one-shot
 * Decoder turns [z, c] into images in one session run: the {@code clip-vae} and {@code clip-gan}
 * pipelines (and any generator whose decoder takes a Gaussian sample next to the condition). The
 * config names the decoder, where its variables live ("decoder_scope", default
 * "&lt;scope&gt;.decoder"), the latent size ("latent_dim") and nests the CLIP config under
 * "text_encoder".
 */
public final class LatentPipeline implements GenerationPipeline {
  private final String name;
  private final int batchSize;
  private final LoadedGraph<Parts> graph;
  private final int latentDim;
  private final double temperature;
  private final Double trainingSeconds;
  private final TrainingRuns trainingRuns;

  /** The graph's prompt tower, the z placeholder, and [z, c] -> images. */
  private record Parts(PromptTower prompts, Placeholder<TFloat32> noise, Operand<TFloat32> text, Operand<TFloat32> repeated,
      Operand<TFloat32> images) {}

  /** Runs the context's weights; options: {@code temperature}. */
  public LatentPipeline(PipelineContext context) {
    this.name = context.name();
    this.batchSize = context.batchSize();
    ComponentLookup components = context.components();
    ModelWeights weights = context.weights();
    ModelConfig config = weights.config();
    this.trainingSeconds = GenerationPipeline.trainingSeconds(config);
    this.trainingRuns = TrainingRuns.of(config);
    ModelConfig encoderConfig = FrozenEncoder.section(config);
    Decoder decoder = components.decoder(config.getString("decoder", name));
    this.latentDim = config.getPositiveInt("latent_dim", 16);
    this.temperature = context.options().getDouble("temperature");
    this.graph = LoadedGraph.build(context.device(), weights.parameters(), root -> {
      Ops tf = root.tf();
      PromptTower prompts = new PromptTower(root, encoderConfig, components);
      Placeholder<TFloat32> noise = tf.withName("z").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, latentDim)));
      Operand<TFloat32> text = prompts.embedding(); // [1, E] for one prompt
      Operand<TInt32> count = tf.slice(tf.shape(noise), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      Operand<TFloat32> repeated = tf.tile(text, tf.concat(List.of(count, tf.constant(new int[] {1})), tf.constant(0))); // [N, E]
      GraphScope decoderScope = root.descend(config.getString("decoder_scope", config.getString("scope", "vae") + ".decoder"));
      return new Parts(prompts, noise, text, repeated, decoder.decode(decoderScope, config, tf.concat(List.of(noise, repeated), tf.constant(1))));
    });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("latent_dim", latentDim);
    s.put("temperature", temperature);
    s.put("batch_size", batchSize);
    return s;
  }

  @Override
  public long parameterCount() {
    return graph.parameters();
  }

  @Override
  public Double trainingSeconds() {
    return trainingSeconds;
  }

  @Override
  public TrainingRuns trainingRuns() {
    return trainingRuns;
  }

  @Override
  public java.util.List<String> warnings(String prompt) {
    return graph.parts().prompts().warnings(graph.session(), prompt);
  }

  @Override
  public ImageBatch generate(String prompt, int count, long seed, Progress progress) {
    float[] z = noise(count, seed);
    Parts p = graph.parts();
    try (TInt32 t = p.prompts().tokensOf(graph.session(), prompt)) {
      return Batches.draw(count, batchSize, progress, (from, n) -> {
        float[] chunk = java.util.Arrays.copyOfRange(z, from * latentDim, (from + n) * latentDim);
        try (TFloat32 zb = Tensors.floats(new long[] {n, latentDim}, chunk);
            Result r = p.prompts().feed(graph.session().runner(), t).feed(p.noise(), zb).fetch(p.images()).run()) {
          return Tensors.toImages(r.get(0)).clamped();
        }
      });
    }
  }

  /** z for {@code count} images from the seed, scaled by the temperature. */
  private float[] noise(int count, long seed) {
    float[] z = Scheduler.gaussian(Math.max(count, 0) * latentDim, new SplittableRandom(seed));
    for (int i = 0; i < z.length; i++) {
      z[i] *= (float) temperature;
    }
    return z;
  }

  @Override
  public boolean mergesRequests() {
    return true;
  }

  /**
   * Each request's z from its own seed and its prompt's embedding (computed alone, as generate
   * computes it) fed as its rows of the decoder's condition: requests share session runs of at most
   * the batch size.
   */
  @Override
  public java.util.List<ImageBatch> generateAll(java.util.List<Request> requests, Progress progress) {
    if (requests.size() == 1) {
      return GenerationPipeline.super.generateAll(requests, progress);
    }
    Parts p = graph.parts();
    int total = Request.total(requests);
    float[] z = new float[total * latentDim];
    float[] condition = null;
    int dim = -1;
    for (int r = 0, at = 0; r < requests.size(); r++) {
      Request q = requests.get(r);
      System.arraycopy(noise(q.count(), q.seed()), 0, z, at * latentDim, q.count() * latentDim);
      float[] e;
      try (TInt32 t = p.prompts().tokensOf(graph.session(), q.prompt());
          Result res = p.prompts().feed(graph.session().runner(), t).fetch(p.text()).run()) {
        e = Tensors.toFloats((TFloat32) res.get(0));
      }
      if (condition == null) {
        dim = e.length;
        condition = new float[total * dim];
      }
      for (int i = 0; i < q.count(); i++, at++) {
        System.arraycopy(e, 0, condition, at * dim, dim);
      }
    }
    float[] rows = condition;
    int width = dim;
    ImageBatch all = Batches.draw(total, batchSize, progress, (from, n) -> {
      try (TFloat32 zb = Tensors.floats(new long[] {n, latentDim}, java.util.Arrays.copyOfRange(z, from * latentDim, (from + n) * latentDim));
          TFloat32 cb = Tensors.floats(new long[] {n, width}, java.util.Arrays.copyOfRange(rows, from * width, (from + n) * width));
          Result r = graph.session().runner().feed(p.noise(), zb).feed(p.repeated(), cb).fetch(p.images()).run()) {
        return Tensors.toImages(r.get(0)).clamped();
      }
    });
    java.util.List<ImageBatch> out = new java.util.ArrayList<>();
    for (int r = 0, at = 0; r < requests.size(); r++) {
      out.add(all.slice(at, at + requests.get(r).count()));
      at += requests.get(r).count();
    }
    return out;
  }

  @Override
  public void close() {
    graph.close();
  }
}
