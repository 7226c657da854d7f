package dev.tessera.plugins.vqvae;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.testing.EncoderContract;
import dev.tessera.api.testing.TinyBatch;

/** The Encoder contract on the tiny VQ-VAE: 8x8 images to a 2x2 grid of 4-d latents. */
class VqVaeEncoderContractTest extends EncoderContract {
  @Override
  protected Encoder encoder() {
    return new VqVaeEncoder();
  }

  @Override
  protected ModelConfig config() {
    return VqVaeModelTest.tiny(true);
  }

  @Override
  protected TinyBatch images() {
    return TinyBatch.of(new long[] {2, 8, 8, 1}, new long[] {2, 2, 2, 4});
  }
}
