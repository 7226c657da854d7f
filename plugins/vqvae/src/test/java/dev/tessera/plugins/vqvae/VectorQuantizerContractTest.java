package dev.tessera.plugins.vqvae;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Quantizer;
import dev.tessera.api.testing.QuantizerContract;

/** The Quantizer contract on the tiny VQ-VAE's codebook: 16 codes of 4 values. */
class VectorQuantizerContractTest extends QuantizerContract {
  @Override
  protected Quantizer quantizer() {
    return new VectorQuantizer();
  }

  @Override
  protected ModelConfig config() {
    return VqVaeModelTest.tiny(true);
  }

  @Override
  protected long[] latentShape() {
    return new long[] {2, 2, 2, 4};
  }
}
