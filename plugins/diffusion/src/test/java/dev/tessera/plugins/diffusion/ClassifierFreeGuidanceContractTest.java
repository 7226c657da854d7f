package dev.tessera.plugins.diffusion;

import dev.tessera.api.spi.Guidance;
import dev.tessera.api.testing.GuidanceContract;

/** The Guidance contract on classifier-free guidance, which only combines predictions. */
class ClassifierFreeGuidanceContractTest extends GuidanceContract {
  @Override
  protected Guidance guidance() {
    return new ClassifierFreeGuidance();
  }
}
