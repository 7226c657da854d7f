package dev.tessera.api.spi;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import org.pf4j.ExtensionPoint;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Latents -> pixels: VQ decoders, GAN generators, VAE decoders, diffusion decoders. */
public interface Decoder extends ExtensionPoint {
  String name();

  default String description() {
    return "";
  }

  /** @return NHWC images, nominally in [0, 1] (clip before display) */
  Operand<TFloat32> decode(GraphScope scope, ModelConfig config, Operand<TFloat32> latents);
}
