package dev.tessera.plugins.diffusion;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.testing.GuidanceContract;
import dev.tessera.api.types.Condition;

/** The Guidance contract on classifier guidance, with a tiny noisy classifier on 8x8 images. */
class ClassifierGuidanceContractTest extends GuidanceContract {
  @Override
  protected Guidance guidance() {
    return new ClassifierGuidance();
  }

  @Override
  protected ModelConfig config() {
    return NoisyClassifierModelTest.tiny();
  }

  @Override
  protected long[] imageShape() {
    return new long[] {2, 8, 8, 1};
  }

  @Override
  protected Condition condition() {
    return Condition.prompt("a photo of a sneaker");
  }

  @Override
  protected Condition unusableCondition() {
    return Condition.prompt("a photo of a cat");
  }
}
