package dev.tessera.plugins.clip;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.testing.GuidanceContract;
import dev.tessera.api.types.Condition;

/** The Guidance contract on CLIP guidance over a tiny CLIP: 8x8 images, 4 cutouts, a prompt required. */
class ClipGuidanceContractTest extends GuidanceContract {
  @Override
  protected Guidance guidance() {
    return new ClipGuidance();
  }

  @Override
  protected ModelConfig config() {
    return ClipGuidanceTest.tiny();
  }

  @Override
  protected long[] imageShape() {
    return new long[] {2, 8, 8, 1};
  }

  @Override
  protected Condition unusableCondition() {
    return Condition.unconditional();
  }
}
