package dev.tessera.plugins.diffusion;

import dev.tessera.api.pipeline.PromptTower;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.types.Latents;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.graph.SessionFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * DALL-E 2 (Ramesh et al. 2022) as a composition: prompt -> CLIP text embedding -> diffusion prior
 * (a Prior component) -> CLIP image embeddings -> diffusion decoder conditioned on them
 * ({@link DiffusionPipeline}). "--candidates K" re-ranking, which the paper uses, is
 * the runtime's re-ranking around it, as for every pipeline.
 */
public final class Dalle2Pipeline implements GenerationPipeline {
  private final String name;
  private final DiffusionPipeline.Options options;
  private final float priorGuidanceScale;
  private final ComponentLookup components;
  private final Graph graph;
  private final Session session;
  private final PromptTower prompts;
  private final Prior.Sampler prior;
  private final DiffusionPipeline decoder;
  private final long priorParameters;
  private final Double priorTrainingSeconds;

  /**
   * @param options the decoder's sampling; the prior samples with the same scheduler and steps
   * @param priorGuidanceScale the prior's classifier-free guidance
   */
  public Dalle2Pipeline(String name, ComponentLookup components, ModelWeights priorWeights, ModelWeights decoderWeights,
      DiffusionPipeline.Options options, float priorGuidanceScale) {
    this.name = name;
    this.options = options;
    this.priorGuidanceScale = priorGuidanceScale;
    this.components = components;
    ModelConfig config = priorWeights.config();
    this.priorTrainingSeconds = GenerationPipeline.trainingSeconds(config);
    ModelConfig encoderConfig = dev.tessera.api.train.FrozenEncoder.section(config);
    this.graph = new Graph();
    DiffusionPipeline d = null;
    Session opened = null;
    try {
      GraphScope root = GraphScope.root(graph, SessionFactory.device(options.device()));
      this.prompts = new PromptTower(root, encoderConfig, components);
      this.prior = components.prior(config.getString("prior", "dalle2-prior")).build(root, config);
      opened = SessionFactory.create(graph);
      this.session = opened;
      root.variables().load(session, priorWeights.parameters(), VariableStore.MODEL_WEIGHTS, false);
      this.priorParameters = root.variables().count(VariableStore.MODEL_WEIGHTS);
      d = new DiffusionPipeline(name, components, decoderWeights, options);
    } catch (RuntimeException e) {
      if (d != null) {
        d.close();
      }
      if (opened != null) {
        opened.close(); // a graph cannot close while a session on it is open
      }
      graph.close();
      throw e;
    }
    this.decoder = d;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("prior_scheduler", options.scheduler());
    s.put("prior_steps", options.steps());
    s.put("prior_guidance_scale", priorGuidanceScale);
    decoder.settings().forEach((k, v) -> s.put("decoder_" + k, v));
    return s;
  }

  @Override
  public long parameterCount() {
    return priorParameters + decoder.parameterCount();
  }

  /** Prior and decoder together; null unless both were recorded. */
  @Override
  public Double trainingSeconds() {
    Double d = decoder.trainingSeconds();
    return priorTrainingSeconds == null || d == null ? null : priorTrainingSeconds + d;
  }

  /** The prior's image embeddings for a prompt: [count, dim] unit vectors. */
  public Embedding imageEmbeddings(String prompt, int count, long seed) {
    Embedding text = prompts.embed(session, prompt);
    Latents latents = prior.sample(session, new Condition(prompt, null, text, null), count,
        Prior.SamplingOptions.seeded(seed).withDiffusion(options.scheduler(), options.steps(), priorGuidanceScale).withSchedulers(components));
    return new Embedding(count, (int) latents.shape()[1], latents.values());
  }

  @Override
  public java.util.List<String> warnings(String prompt) {
    return prompts.warnings(session, prompt);
  }

  @Override
  public ImageBatch generate(String prompt, int count, long seed, Progress progress) {
    if (count < 1) {
      throw new TesseraException("--num-images must be positive, got " + count);
    }
    return decoder.generate(imageEmbeddings(prompt, count, seed), count, seed, progress);
  }

  @Override
  public void close() {
    decoder.close();
    session.close();
    graph.close();
  }
}
