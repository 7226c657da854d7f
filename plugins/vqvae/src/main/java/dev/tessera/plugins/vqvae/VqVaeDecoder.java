package dev.tessera.plugins.vqvae;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.ConvTranspose2d;
import dev.tessera.api.layers.ResidualBlock;
import dev.tessera.api.spi.Decoder;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * VQ-VAE decoder, the encoder mirrored: conv(3)-residual stack-ReLU-convT(4, s2)-ReLU-convT(4, s2).
 * [N, S/4, S/4, D] -> [N, S, S, C], nominally in [0, 1].
 */
@Extension
public class VqVaeDecoder implements Decoder {
  @Override
  public String name() {
    return "vqvae";
  }

  @Override
  public String description() {
    return "VQ-VAE convolutional decoder, grid of latents -> image (upsampling 4x)";
  }

  @Override
  public Operand<TFloat32> decode(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
    VqVaeConfig c = VqVaeConfig.from(config);
    InputShapes.requireLastAxis(latents, c.embeddingDim(), "vqvae decoder latents (embedding_dim)");
    Ops tf = scope.tf();
    int hidden = c.hiddenChannels();
    Operand<TFloat32> x = new Conv2d(scope.child("conv_in"), c.embeddingDim(), hidden, 3).apply(latents);
    for (int i = 0; i < c.residualLayers(); i++) {
      x = new ResidualBlock(scope.child("res" + i), hidden, c.residualChannels()).apply(x);
    }
    x = tf.nn.relu(x);
    x = tf.nn.relu(new ConvTranspose2d(scope.child("deconv1"), hidden, hidden / 2, 4, 2).apply(x));
    x = new ConvTranspose2d(scope.child("deconv2"), hidden / 2, c.channels(), 4, 2).apply(x);
    return tf.math.add(x, tf.constant(0.5f)); // undo the encoder's centring
  }

  /** Forward FLOPs for one image (a transposed conv costs what its forward conv costs). */
  public static long flops(VqVaeConfig c) {
    long s = c.imageSize();
    long h = c.hiddenChannels();
    long g = c.gridSize();
    return Conv2d.flops(g, g, 3, c.embeddingDim(), h)
        + c.residualLayers() * ResidualBlock.flops(g, g, h, c.residualChannels())
        + Conv2d.flops(g, g, 4, h / 2, h)
        + Conv2d.flops(s / 2, s / 2, 4, c.channels(), h / 2);
  }
}
