package dev.tessera.plugins.vqgan;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.train.NestedModel;

/**
 * VQGAN's own hyper-parameters; the autoencoder's (image_size, hidden_channels, codebook_size,
 * beta, ...) sit beside them in the same config, read by the encoder, quantizer and decoder it
 * names (the VQ-VAE plugin's by default), and are copied from the model it starts from
 * ("init_from", default vqvae) when training starts.
 *
 * @param perceptualWeight weight of the perceptual distance in the reconstruction loss
 * @param discWeight weight of the adversarial term (times the adaptive weight) once the
 *     discriminator is on
 * @param discStart steps before the discriminator trains and the adversarial term counts
 * @param discChannels channels of the discriminator's first convolution (doubled once)
 * @param adaptive scale the adversarial term by the adaptive weight (else by 1)
 */
public record VqganConfig(double perceptualWeight, double discWeight, long discStart, int discChannels, boolean adaptive, double dataVariance,
    double beta) {
  /** The frozen feature network of the perceptual loss, nested under "perceptual_encoder". */
  public static final NestedModel PERCEPTUAL = new NestedModel("perceptual_encoder", "perceptual_model", "clip", "perceptual feature network");

  public static ModelConfig defaults() {
    return ModelConfig.empty()
        .with("model", "vqgan").with("scope", "vqgan")
        .with("encoder", "vqvae").with("quantizer", "vector-quantizer").with("decoder", "vqvae")
        .with("init_from", "vqvae").with("perceptual_model", "clip")
        .with("perceptual_weight", 1.0).with("disc_weight", 0.1).with("disc_start", 500).with("disc_channels", 64).with("adaptive_weight", true)
        .with("learning_rate", 1e-4).with("batch_size", 32);
  }

  public static VqganConfig from(ModelConfig c) {
    VqganConfig v = new VqganConfig(c.getDouble("perceptual_weight", 1.0), c.getDouble("disc_weight", 0.1), c.getInt("disc_start", 500),
        c.getPositiveInt("disc_channels", 64), c.getBoolean("adaptive_weight", true), c.getDouble("data_variance", 0.125),
        c.getDouble("beta", 0.25));
    if (v.perceptualWeight < 0 || v.discWeight < 0) {
      throw new TesseraException(c.source() + ": perceptual_weight and disc_weight must be >= 0, got " + v.perceptualWeight + " and " + v.discWeight);
    }
    if (v.discStart < 0) {
      throw new TesseraException(c.source() + ": disc_start must be >= 0, got " + v.discStart);
    }
    if (v.dataVariance <= 0) {
      throw new TesseraException(c.source() + ": data_variance must be positive, got " + v.dataVariance);
    }
    return v;
  }
}
