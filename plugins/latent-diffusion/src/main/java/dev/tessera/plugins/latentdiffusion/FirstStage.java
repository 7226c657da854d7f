package dev.tessera.plugins.latentdiffusion;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.train.FrozenAutoencoder;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The frozen autoencoder a latent diffusion model works in, of either kind: a KL-regularised one
 * ({@link KlAutoencoderModel}: its config has "z_channels"; the latents are the encoder's means) or
 * a vector-quantised one (VQ-VAE, VQGAN: the encoder's continuous latents before quantisation, which
 * may be snapped to the codebook before decoding). Its components are found by name; its config is
 * the one nested under "autoencoder".
 */
record FirstStage(ModelConfig config) {
  /** Whether it is KL-regularised (no codebook). */
  boolean kl() {
    return config.has(KlAutoencoderModel.Z_CHANNELS);
  }

  /** The latents' channels: z_channels, or a VQ autoencoder's embedding_dim. */
  int channels() {
    return kl() ? config.getPositiveInt(KlAutoencoderModel.Z_CHANNELS, 4) : FrozenAutoencoder.embeddingDim(config);
  }

  int grid() {
    return FrozenAutoencoder.gridSize(config);
  }

  /** Images [N, S, S, C] in [0, 1] -> latents [N, G, G, channels()]. */
  Operand<TFloat32> encode(GraphScope root, ComponentLookup components, Operand<TFloat32> images) {
    Operand<TFloat32> out = FrozenAutoencoder.latents(root, config, components, images);
    if (!kl()) {
      return out;
    }
    Ops tf = root.tf();
    return tf.slice(out, tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {-1, -1, -1, channels()})); // the means
  }

  /** Latents -> images, snapped to the codebook first when {@code quantize} (VQ autoencoders only). */
  Operand<TFloat32> decode(GraphScope root, ComponentLookup components, Operand<TFloat32> latents, boolean quantize) {
    if (kl()) {
      if (quantize) {
        throw new TesseraException("quantize: the autoencoder '" + config.getString("model", "?") + "' is KL-regularised and has no codebook:"
            + " set quantize=false");
      }
      return FrozenAutoencoder.decodeVectors(root, KlAutoencoderModel.decoderConfig(config), components, latents);
    }
    Operand<TFloat32> vectors = latents;
    if (quantize) {
      vectors = FrozenAutoencoder.quantizer(config, components).quantize(FrozenAutoencoder.quantizerScope(root, config), config, latents).quantized();
    }
    return FrozenAutoencoder.decodeVectors(root, config, components, vectors);
  }
}
