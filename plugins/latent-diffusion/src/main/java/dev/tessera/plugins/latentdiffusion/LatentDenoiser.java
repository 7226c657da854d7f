package dev.tessera.plugins.latentdiffusion;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.layers.UNet;
import dev.tessera.api.spi.Encoder;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The noise predictor over latents: an epsilon-prediction U-Net ({@code <scope>.unet.*}) that adds
 * the prompt's pooled CLIP embedding to its time embedding and cross-attends to CLIP's per-token
 * states. A grid the U-Net cannot halve at every level (7x7 for Fashion-MNIST's VQGAN) is padded
 * with zeros at the bottom and right and the prediction cropped back.
 */
final class LatentDenoiser {
  private LatentDenoiser() {}

  /**
   * @param noisy [N, grid, grid, latentChannels] scaled noisy latents
   * @param timesteps [N] float
   * @param text the prompt's states (rows zeroed for the unconditional prediction)
   */
  static Operand<TFloat32> epsilon(GraphScope scope, LatentDiffusionConfig c, Operand<TFloat32> noisy, Operand<TFloat32> timesteps,
      Encoder.TextStates text) {
    Ops tf = scope.tf();
    InputShapes.requireLastAxis(noisy, c.latentChannels(), "latent diffusion latents (the autoencoder's embedding_dim)");
    if (GraphScope.staticDim(noisy, 1) != c.grid() || GraphScope.staticDim(noisy, 2) != c.grid()) {
      throw new TesseraException("latent diffusion: the autoencoder gives " + noisy.shape() + " latents, the model was built for a " + c.grid()
          + "x" + c.grid() + " grid (the autoencoder's image_size over its downsampling): are the images " + c.firstStage().config().getInt("image_size", 0)
          + " pixels wide?");
    }
    int pad = c.paddedGrid() - c.grid();
    Operand<TFloat32> x = pad == 0 ? noisy : tf.pad(noisy, tf.constant(new int[][] {{0, 0}, {0, pad}, {0, pad}, {0, 0}}), tf.constant(0f));
    Operand<TFloat32> eps = new UNet(scope.child("unet"), c.unet()).apply(x, timesteps, text.embedding(), text.states(), text.mask());
    return pad == 0 ? eps : tf.slice(eps, tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {-1, c.grid(), c.grid(), -1}));
  }
}
