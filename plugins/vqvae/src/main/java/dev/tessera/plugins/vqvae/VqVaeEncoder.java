package dev.tessera.plugins.vqvae;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.ResidualBlock;
import dev.tessera.api.spi.Encoder;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * VQ-VAE encoder: conv(4, s2)-ReLU-conv(4, s2)-ReLU-conv(3)-residual stack-ReLU, then a 1x1
 * convolution to the embedding dimension. [N, S, S, C] in [0, 1] -> [N, S/4, S/4, D].
 */
@Extension
public class VqVaeEncoder implements Encoder {
  @Override
  public String name() {
    return "vqvae";
  }

  @Override
  public String description() {
    return "VQ-VAE convolutional encoder, image -> grid of latents (downsampling 4x)";
  }

  @Override
  public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    VqVaeConfig c = VqVaeConfig.from(config);
    InputShapes.requireLastAxis(images, c.channels(), "vqvae encoder images (channels)");
    Ops tf = scope.tf();
    int hidden = c.hiddenChannels();
    Operand<TFloat32> x = tf.math.sub(images, tf.constant(0.5f)); // centre the data
    x = tf.nn.relu(new Conv2d(scope.child("conv1"), c.channels(), hidden / 2, 4, 2).apply(x));
    x = tf.nn.relu(new Conv2d(scope.child("conv2"), hidden / 2, hidden, 4, 2).apply(x));
    x = new Conv2d(scope.child("conv3"), hidden, hidden, 3).apply(x);
    for (int i = 0; i < c.residualLayers(); i++) {
      x = new ResidualBlock(scope.child("res" + i), hidden, c.residualChannels()).apply(x);
    }
    x = tf.nn.relu(x);
    return new Conv2d(scope.child("to_latent"), hidden, c.embeddingDim(), 1).apply(x);
  }

  /** Forward FLOPs (2 x multiply-adds) for one image. */
  public static long flops(VqVaeConfig c) {
    long s = c.imageSize();
    long h = c.hiddenChannels();
    long g = c.gridSize();
    long f = Conv2d.flops(s / 2, s / 2, 4, c.channels(), h / 2)
        + Conv2d.flops(g, g, 4, h / 2, h)
        + Conv2d.flops(g, g, 3, h, h)
        + c.residualLayers() * ResidualBlock.flops(g, g, h, c.residualChannels())
        + Conv2d.flops(g, g, 1, h, c.embeddingDim());
    return f;
  }
}
