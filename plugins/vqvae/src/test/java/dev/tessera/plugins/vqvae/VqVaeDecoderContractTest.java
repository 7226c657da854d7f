package dev.tessera.plugins.vqvae;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.testing.DecoderContract;
import dev.tessera.api.testing.TinyBatch;

/** The Decoder contract on the tiny VQ-VAE: a 2x2 grid of 4-d latents to 8x8 images. */
class VqVaeDecoderContractTest extends DecoderContract {
  @Override
  protected Decoder decoder() {
    return new VqVaeDecoder();
  }

  @Override
  protected ModelConfig config() {
    return VqVaeModelTest.tiny(true);
  }

  @Override
  protected TinyBatch batch() {
    return TinyBatch.of(new long[] {2, 2, 2, 4}, new long[] {2, 8, 8, 1});
  }
}
