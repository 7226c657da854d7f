package dev.tessera.plugins.diffusion;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.UNet;
import dev.tessera.api.spi.Decoder;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The denoiser of a diffusion model behind the Decoder SPI: an epsilon-prediction U-Net
 * ({@code <scope>.unet.*}) over images in [-1, 1], conditioned on a CLIP embedding projected and
 * added to its time embedding. A pipeline runs a scheduler over it.
 */
@Extension
public class DiffusionDecoder implements Decoder {
  @Override
  public String name() {
    return "clip-diffusion";
  }

  @Override
  public String description() {
    return "epsilon-prediction U-Net conditioned on a CLIP embedding (iterative: run a scheduler over it)";
  }

  @Override
  public boolean iterative() {
    return true;
  }

  @Override
  public Operand<TFloat32> denoise(GraphScope scope, ModelConfig config, Operand<TFloat32> noisy, Operand<TFloat32> timesteps,
      Operand<TFloat32> condition) {
    DiffusionConfig c = DiffusionConfig.from(config);
    InputShapes.requireLastAxis(noisy, c.channels(), "diffusion decoder images (channels)");
    if (condition != null && c.unet().conditionDim() > 0) {
      InputShapes.requireLastAxis(condition, c.unet().conditionDim(), "diffusion decoder condition (the text encoder's embed_dim)");
    }
    return new UNet(scope.child("unet"), c.unet()).apply(noisy, timesteps, c.unet().conditionDim() > 0 ? condition : null);
  }
}
