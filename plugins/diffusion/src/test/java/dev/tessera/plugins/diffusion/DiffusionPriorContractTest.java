package dev.tessera.plugins.diffusion;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.testing.PriorContract;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Embedding;

/** The Prior contract on the tiny DALL-E 2 prior: a 4-d text embedding to two 4-d image embeddings in 3 DDIM steps. */
class DiffusionPriorContractTest extends PriorContract {
  @Override
  protected Prior prior() {
    return new DiffusionPrior();
  }

  @Override
  protected ModelConfig config() {
    return DiffusionPriorTest.tiny();
  }

  @Override
  protected Condition condition() {
    return new Condition("a shoe", null, new Embedding(1, 4, new float[] {0.5f, -0.5f, 0.5f, 0.5f}), null);
  }

  @Override
  protected long[] latentShape() {
    return new long[] {2, 4};
  }
}
