package dev.tessera.runtime.pipeline;

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
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.tf.SessionFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * DALL-E 2 (Ramesh et al. 2022) as a composition: prompt -> CLIP text embedding -> diffusion prior
 * (a Prior component) -> CLIP image embeddings -> diffusion decoder conditioned on them
 * ({@link DiffusionPipeline}). With {@code candidates > 1} it draws that many images per requested
 * image and keeps the one whose CLIP image embedding is closest to the prompt's text embedding.
 */
public final class Dalle2Pipeline implements GenerationPipeline {
  private final String name;
  private final PipelineSpec spec;
  private final Graph graph;
  private final Session session;
  private final PromptTower prompts;
  private final Prior.Sampler prior;
  private final DiffusionPipeline decoder;
  private final EmbeddingPipeline reranker;
  private final long priorParameters;
  private final Double priorTrainingSeconds;

  public Dalle2Pipeline(String name, Components components, ModelWeights priorWeights, ModelWeights decoderWeights, PipelineSpec spec) {
    this.name = name;
    this.spec = spec;
    if (spec.candidates() < 1) {
      throw new TesseraException("--candidates must be positive, got " + spec.candidates());
    }
    ModelConfig config = priorWeights.config();
    this.priorTrainingSeconds = GenerationPipeline.trainingSeconds(config);
    ModelConfig encoderConfig = dev.tessera.api.train.FrozenEncoder.section(config);
    this.graph = new Graph();
    DiffusionPipeline d = null;
    EmbeddingPipeline r = null;
    Session opened = null;
    try {
      GraphScope root = GraphScope.root(graph, SessionFactory.device(spec.device()));
      this.prompts = new PromptTower(root, encoderConfig, components);
      this.prior = components.prior(config.getString("prior", "dalle2-prior")).build(root, config);
      opened = SessionFactory.create(graph);
      this.session = opened;
      root.variables().load(session, priorWeights.parameters(), VariableStore.MODEL_WEIGHTS, false);
      this.priorParameters = root.variables().count(VariableStore.MODEL_WEIGHTS);
      d = new DiffusionPipeline(name, components, decoderWeights, spec.diffusionOptions());
      if (spec.candidates() > 1) {
        ModelWeights clip = components.model(config.getString("text_model", "clip")).shippedWeights();
        if (clip == null) {
          throw new TesseraException("re-ranking candidates needs CLIP's image encoder: model '" + config.getString("text_model", "clip")
              + "' ships no weights");
        }
        r = new EmbeddingPipeline(components, clip, 256, spec.device());
      }
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
    this.reranker = r;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("prior_scheduler", spec.scheduler());
    s.put("prior_steps", spec.steps());
    s.put("prior_guidance_scale", spec.priorGuidanceScale());
    s.put("candidates", spec.candidates());
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
        Prior.SamplingOptions.seeded(seed).withDiffusion(spec.scheduler(), spec.steps(), spec.priorGuidanceScale()));
    return new Embedding(count, (int) latents.shape()[1], latents.values());
  }

  @Override
  public ImageBatch generate(String prompt, int count, long seed, Progress progress) {
    if (count < 1) {
      throw new TesseraException("--num-images must be positive, got " + count);
    }
    int k = spec.candidates();
    ImageBatch all = decoder.generate(imageEmbeddings(prompt, count * k, seed), count * k, seed, progress);
    if (k == 1) {
      return all;
    }
    Embedding text = reranker.embedTexts(List.of(prompt));
    Embedding images = reranker.embedImages(all);
    int[] keep = new int[count];
    for (int i = 0; i < count; i++) {
      int best = i * k;
      for (int j = i * k + 1; j < (i + 1) * k; j++) {
        if (images.dot(j, text, 0) > images.dot(best, text, 0)) {
          best = j;
        }
      }
      keep[i] = best;
    }
    return all.select(keep);
  }

  @Override
  public void close() {
    if (reranker != null) {
      reranker.close();
    }
    decoder.close();
    session.close();
    graph.close();
  }
}
