package dev.tessera.api.pipeline;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.Latents;
import dev.tessera.api.types.WeightedPrompts;
import org.tensorflow.Session;

/**
 * A prior over an autoencoder's code grids, conditioned on a prompt's CLIP text embedding, built
 * into a graph: the prompt tower its config nests ("text_encoder") and the prior it names
 * ("prior", default "gpt"). The {@code vqgan-transformer} pipeline decodes what it samples;
 * {@code vqgan-clip} can start its optimisation from it.
 */
public record CodeSampler(PromptTower prompts, Prior.Sampler sampler) {
  /** Builds the prompt tower and the prior of {@code priorConfig} under {@code root}. */
  public static CodeSampler build(GraphScope root, ModelConfig priorConfig, ComponentLookup components) {
    Prior prior = components.prior(priorConfig.getString("prior", "gpt"));
    return new CodeSampler(new PromptTower(root, FrozenEncoder.section(priorConfig), components), prior.build(root, priorConfig));
  }

  /** The condition for a prompt, embedded as one text. */
  public Condition condition(Session session, String prompt) {
    return new Condition(prompt, null, prompts.embed(session, prompt), null);
  }

  /**
   * The condition for the positive parts of a weighted prompt ("a sneaker:1|a bag:-0.3": the
   * sneaker): their text embeddings summed by weight. A prior draws what is asked for; what is
   * asked against is left to whatever refines its draws.
   */
  public Condition positiveCondition(Session session, String prompt) {
    WeightedPrompts weighted = WeightedPrompts.parse(prompt);
    float[] sum = null;
    for (int i = 0; i < weighted.prompts().size(); i++) {
      float w = weighted.weights()[i];
      if (w <= 0) {
        continue;
      }
      float[] e = prompts.embed(session, weighted.prompts().get(i)).values();
      if (sum == null) {
        sum = new float[e.length];
      }
      for (int j = 0; j < e.length; j++) {
        sum[j] += w * e[j];
      }
    }
    if (sum == null) {
      throw new dev.tessera.api.TesseraException("the prompt '" + prompt + "' has no part with a positive weight for the prior to draw");
    }
    return new Condition(prompt, null, new Embedding(1, sum.length, sum), null);
  }

  /** {@code n} code grids for the condition. */
  public Latents sample(Session session, Condition condition, int n, Prior.SamplingOptions options) {
    return sampler.sample(session, condition, n, options);
  }
}
