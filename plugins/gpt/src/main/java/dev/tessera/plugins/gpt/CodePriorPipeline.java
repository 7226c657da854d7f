package dev.tessera.plugins.gpt;

import dev.tessera.api.pipeline.CodeSampler;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.train.FrozenAutoencoder;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.types.Latents;
import dev.tessera.api.pipeline.Batches;
import dev.tessera.api.pipeline.PipelineContext;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.graph.LoadedGraph;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Prompt -> CLIP text embedding -> a Prior samples code grids -> the frozen autoencoder's
 * quantizer and decoder turn codes into images: the {@code vqgan-transformer} pipeline (Taming
 * Transformers' second stage), for any prior over codes and any vector-quantised autoencoder
 * (the prior's config nests the autoencoder's under "autoencoder" and CLIP's under
 * "text_encoder"). Codes are drawn per batch of {@code batch_size} images, each batch seeded from
 * (seed, its first index), so a seed gives the same images at the same batch size.
 */
public final class CodePriorPipeline implements GenerationPipeline {
  private final String name;
  private final int batchSize;
  private final String device;
  private final double temperature;
  private final int topK;
  private final double topP;
  private final float guidanceScale;
  private final LoadedGraph<Parts> graph;
  private final Double trainingSeconds;
  private final boolean kvCache;

  /** The graph's prompt tower, prior sampler, and codes -> images decoder. */
  private record Parts(CodeSampler prior, Placeholder<TInt32> codes, Operand<TFloat32> images) {}

  /** Runs the context's weights; options: temperature, top_k, top_p, guidance_scale. */
  public CodePriorPipeline(PipelineContext context) {
    this.name = context.name();
    this.batchSize = context.batchSize();
    this.device = context.device();
    this.temperature = context.options().getDouble("temperature");
    this.topK = context.options().getInt("top_k");
    this.topP = context.options().getDouble("top_p");
    this.guidanceScale = (float) context.options().getDouble("guidance_scale");
    ComponentLookup components = context.components();
    ModelWeights weights = context.weights();
    ModelConfig config = weights.config();
    this.trainingSeconds = GenerationPipeline.trainingSeconds(config);
    this.kvCache = config.getBoolean("kv_cache", true);
    ModelConfig ae = FrozenAutoencoder.MODEL.section(config);
    int grid = FrozenAutoencoder.gridSize(ae);
    this.graph = LoadedGraph.build(device, weights.parameters(), root -> {
      Placeholder<TInt32> codes = root.tf().withName("codes").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, grid, grid)));
      return new Parts(CodeSampler.build(root, config, components), codes, FrozenAutoencoder.decode(root, ae, components, codes));
    });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("temperature", temperature);
    s.put("top_k", topK);
    s.put("top_p", topP);
    s.put("guidance_scale", guidanceScale);
    s.put("kv_cache", kvCache);
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
  public java.util.List<String> warnings(String prompt) {
    return graph.parts().prior().prompts().warnings(graph.session(), prompt);
  }

  @Override
  public ImageBatch generate(String prompt, int count, long seed, Progress progress) {
    Parts p = graph.parts();
    Session session = graph.session();
    Condition condition = p.prior().condition(session, prompt);
    return Batches.draw(count, batchSize, progress, (from, n) -> {
      Prior.SamplingOptions options = Prior.SamplingOptions.seeded(seed * 1_000_003L + from)
          .withGuidance(guidanceScale)
          .withTokens(temperature, topK, topP);
      Latents sampled = p.prior().sample(session, condition, n, options);
      try (TInt32 c = Tensors.ints(sampled.shape(), sampled.codes()); Result r = session.runner().feed(p.codes(), c).fetch(p.images()).run()) {
        return Tensors.toImages(r.get(0)).clamped();
      }
    });
  }

  @Override
  public void close() {
    graph.close();
  }
}
