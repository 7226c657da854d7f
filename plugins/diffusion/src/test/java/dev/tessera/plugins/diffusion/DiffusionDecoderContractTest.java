package dev.tessera.plugins.diffusion;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.testing.DecoderContract;
import dev.tessera.api.testing.TinyBatch;

/** The Decoder contract on the tiny text-conditioned U-Net: noise predicted for 8x8 images under 4-d conditions. */
class DiffusionDecoderContractTest extends DecoderContract {
  @Override
  protected Decoder decoder() {
    return new DiffusionDecoder();
  }

  @Override
  protected ModelConfig config() {
    return DiffusionModelTest.tiny();
  }

  @Override
  protected TinyBatch batch() {
    return TinyBatch.of(new long[] {2, 8, 8, 1}, new long[] {2, 8, 8, 1});
  }

  @Override
  protected int conditionDim() {
    return 4;
  }
}
