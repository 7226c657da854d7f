package dev.tessera.plugins.gpt;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.testing.PriorContract;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Embedding;

/** The Prior contract on the tiny code transformer: a 4-d text embedding to two 2x2 grids of 4 codes. */
class GptPriorContractTest extends PriorContract {
  @Override
  protected Prior prior() {
    return new GptPrior();
  }

  @Override
  protected ModelConfig config() {
    return GptModelTest.tiny();
  }

  @Override
  protected Condition condition() {
    return new Condition("a shoe", null, new Embedding(1, 4, new float[] {0.5f, -0.5f, 0.5f, 0.5f}), null);
  }

  @Override
  protected long[] latentShape() {
    return new long[] {2, 2, 2};
  }

  @Override
  protected int codebookSize() {
    return 4;
  }
}
