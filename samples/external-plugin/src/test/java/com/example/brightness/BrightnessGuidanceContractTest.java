package com.example.brightness;

import dev.tessera.api.spi.Guidance;
import dev.tessera.api.testing.GuidanceContract;

/** What every Guidance must do (from the api's test-jar), on two 8x8 grey images. */
class BrightnessGuidanceContractTest extends GuidanceContract {
  @Override
  protected Guidance guidance() {
    return new BrightnessGuidance();
  }

  @Override
  protected long[] imageShape() {
    return new long[] {2, 8, 8, 1};
  }
}
