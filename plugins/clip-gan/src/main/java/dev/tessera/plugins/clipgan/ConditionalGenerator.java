package dev.tessera.plugins.clipgan;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Activations;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.ConvTranspose2d;
import dev.tessera.api.layers.Dense;
import dev.tessera.api.layers.GroupNorm;
import dev.tessera.api.spi.Decoder;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * G(z, c) behind the Decoder SPI: latents are the noise z and the CLIP text embedding c side by
 * side, [N, latent_dim + embed_dim]. A dense layer maps both to a (S/4)x(S/4) grid of 4w channels,
 * two stride-2 transposed convolutions double it twice (2w, then w channels), a 3x3 convolution
 * and a sigmoid give the image in [0, 1]. After each of the three stages, group norm whose scale
 * and shift are predicted from c (conditional normalisation, as BigGAN's conditional batch norm
 * without batch statistics), then ReLU: the text steers every resolution, not only the input.
 */
@Extension
public class ConditionalGenerator implements Decoder {
  @Override
  public String name() {
    return "clip-gan";
  }

  @Override
  public String description() {
    return "CLIP+GAN generator: [z, CLIP embedding] -> image, text-conditioned group norm";
  }

  @Override
  public Operand<TFloat32> decode(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
    return apply(scope, ClipGanConfig.from(config), latents);
  }

  static Operand<TFloat32> apply(GraphScope scope, ClipGanConfig c, Operand<TFloat32> latents) {
    InputShapes.requireLastAxis(latents, c.latentDim() + c.conditionDim(), "clip-gan generator latents (latent_dim + the CLIP embed_dim)");
    Ops tf = scope.tf();
    long w = c.generatorChannels();
    Operand<TFloat32> condition = tf.slice(latents, tf.constant(new int[] {0, c.latentDim()}), tf.constant(new int[] {-1, c.conditionDim()}));
    long cells = (long) c.bottom() * c.bottom() * 4 * w;
    Operand<TFloat32> h = new Dense(scope.child("fc"), c.latentDim() + c.conditionDim(), cells).apply(latents);
    h = tf.reshape(h, tf.constant(new long[] {-1, c.bottom(), c.bottom(), 4 * w}));
    h = conditionedNormRelu(scope.child("norm0"), h, 4 * w, condition, c.conditionDim());
    h = new ConvTranspose2d(scope.child("up1"), 4 * w, 2 * w, 4, 2).apply(h);
    h = conditionedNormRelu(scope.child("norm1"), h, 2 * w, condition, c.conditionDim());
    h = new ConvTranspose2d(scope.child("up2"), 2 * w, w, 4, 2).apply(h);
    h = conditionedNormRelu(scope.child("norm2"), h, w, condition, c.conditionDim());
    return tf.math.sigmoid(new Conv2d(scope.child("out"), w, c.channels(), 3).apply(h));
  }

  /** relu(GN(h) * (1 + scale(c)) + shift(c)), scale and shift per channel from dense layers of c. */
  private static Operand<TFloat32> conditionedNormRelu(GraphScope scope, Operand<TFloat32> h, long channels, Operand<TFloat32> condition,
      long conditionDim) {
    Ops tf = scope.tf();
    Operand<TFloat32> normed = new GroupNorm(scope.child("norm"), channels, groups(channels)).apply(h);
    Operand<TFloat32> scale = perChannel(tf, new Dense(scope.child("scale"), conditionDim, channels).apply(condition), channels);
    Operand<TFloat32> shift = perChannel(tf, new Dense(scope.child("shift"), conditionDim, channels).apply(condition), channels);
    return Activations.relu(tf, tf.math.add(tf.math.mul(normed, tf.math.add(tf.constant(1f), scale)), shift));
  }

  /** Up to 8 groups, as many as divide the channels. */
  static long groups(long channels) {
    long g = Math.min(8, channels);
    while (channels % g != 0) {
      g--;
    }
    return g;
  }

  private static Operand<TFloat32> perChannel(Ops tf, Operand<TFloat32> x, long channels) {
    return tf.reshape(x, tf.constant(new long[] {-1, 1, 1, channels}));
  }
}
