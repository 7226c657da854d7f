package dev.tessera.plugins.diffusion;

import dev.tessera.api.io.ModelConfig;

/** The Decoder contract on the tiny U-Net without a condition ("condition": "none"), which the pipeline hands a null condition. */
class UnconditionalDiffusionDecoderContractTest extends DiffusionDecoderContractTest {
  @Override
  protected ModelConfig config() {
    return DiffusionModelTest.tiny().with("condition", "none");
  }

  @Override
  protected int conditionDim() {
    return 0;
  }
}
