package dev.tessera.plugins.clipvae;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.PixelRange;
import dev.tessera.api.layers.Activations;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.Dense;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * q(z | x, c): two stride-2 convolutions, a dense layer that also sees the condition, and the
 * Gaussian's mean and log-variance.
 */
final class ConditionalVaeEncoder {
  /** The posterior's parameters, [N, latent] each. */
  record Posterior(Operand<TFloat32> mean, Operand<TFloat32> logVariance) {}

  private ConditionalVaeEncoder() {}

  static Posterior apply(GraphScope scope, ClipVaeConfig c, Operand<TFloat32> images, Operand<TFloat32> condition) {
    Ops tf = scope.tf();
    Operand<TFloat32> x = PixelRange.toSigned(tf, images);
    x = Activations.relu(tf, new Conv2d(scope.child("conv1"), c.channels(), c.hidden(), 4, 2).apply(x));
    x = Activations.relu(tf, new Conv2d(scope.child("conv2"), c.hidden(), 2L * c.hidden(), 4, 2).apply(x));
    long flat = (long) c.bottom() * c.bottom() * 2 * c.hidden();
    Operand<TFloat32> h = tf.reshape(x, tf.constant(new long[] {-1, flat}));
    if (c.conditioning().equals("concat")) {
      h = new Dense(scope.child("fc"), flat + c.conditionDim(), 256).apply(tf.concat(List.of(h, condition), tf.constant(1)));
    } else {
      h = tf.math.add(new Dense(scope.child("fc"), flat, 256).apply(h), new Dense(scope.child("condition"), c.conditionDim(), 256).apply(condition));
    }
    h = Activations.relu(tf, h);
    return new Posterior(new Dense(scope.child("mean"), 256, c.latentDim()).apply(h), new Dense(scope.child("log_variance"), 256, c.latentDim()).apply(h));
  }
}
