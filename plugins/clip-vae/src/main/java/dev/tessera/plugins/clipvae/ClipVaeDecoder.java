package dev.tessera.plugins.clipvae;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Activations;
import dev.tessera.api.layers.ConvTranspose2d;
import dev.tessera.api.layers.Dense;
import dev.tessera.api.spi.Decoder;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * p(x | z, c) behind the Decoder SPI. Its latents are the sample z and the CLIP embedding c side by
 * side, [N, latent_dim + embed_dim]; "concat" feeds both to one dense layer, "add" projects each
 * and adds. Then two stride-2 transposed convolutions to a sigmoid image in [0, 1].
 */
@Extension
public class ClipVaeDecoder implements Decoder {
  @Override
  public String name() {
    return "clip-vae";
  }

  @Override
  public String description() {
    return "conditional VAE decoder: [z, CLIP embedding] -> image";
  }

  @Override
  public Operand<TFloat32> decode(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
    return scope.tf().math.sigmoid(logits(scope, ClipVaeConfig.from(config), latents));
  }

  /** The pixels' logits (the loss uses them: cross-entropy from logits is stable where log(sigmoid) is not). */
  static Operand<TFloat32> logits(GraphScope scope, ClipVaeConfig c, Operand<TFloat32> latents) {
    InputShapes.requireLastAxis(latents, c.latentDim() + c.conditionDim(), "clip-vae decoder latents (latent_dim + the CLIP embed_dim)");
    Ops tf = scope.tf();
    long cells = (long) c.bottom() * c.bottom() * 2 * c.hidden();
    Operand<TFloat32> h;
    if (c.conditioning().equals("concat")) {
      h = new Dense(scope.child("fc"), c.latentDim() + c.conditionDim(), cells).apply(latents);
    } else {
      Operand<TFloat32> z = tf.slice(latents, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, c.latentDim()}));
      Operand<TFloat32> cond = tf.slice(latents, tf.constant(new int[] {0, c.latentDim()}), tf.constant(new int[] {-1, c.conditionDim()}));
      h = tf.math.add(new Dense(scope.child("fc"), c.latentDim(), cells).apply(z), new Dense(scope.child("condition"), c.conditionDim(), cells).apply(cond));
    }
    h = Activations.relu(tf, h);
    h = tf.reshape(h, tf.constant(new long[] {-1, c.bottom(), c.bottom(), 2L * c.hidden()}));
    h = Activations.relu(tf, new ConvTranspose2d(scope.child("deconv1"), 2L * c.hidden(), c.hidden(), 4, 2).apply(h));
    return new ConvTranspose2d(scope.child("deconv2"), c.hidden(), c.channels(), 4, 2).apply(h);
  }
}
