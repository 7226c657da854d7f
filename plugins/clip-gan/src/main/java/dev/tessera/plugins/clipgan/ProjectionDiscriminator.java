package dev.tessera.plugins.clipgan;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.PixelRange;
import dev.tessera.api.layers.Activations;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.Dense;
import dev.tessera.api.layers.GroupNorm;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * D(x, c), the projection discriminator of Miyato and Koyama (2018) with a CLIP text embedding as
 * the condition: features phi(x) from a conv stack (3x3 at full resolution, then two stride-2 4x4
 * convolutions with group norm, leaky ReLU, global average pooling: without
 * spectral norm a sum over positions makes the logits large and the hinge saturate), and
 * <pre>D(x, c) = w . phi(x) + b + (V c) . phi(x)</pre>
 * where the second term, an inner product with a linear projection of the condition, is what
 * judges whether image and text belong together. [N, S, S, C] in [0, 1] and [N, E] -> [N, 1].
 * Group norm instead of batch norm: a GAN's batch mixes real and fake images.
 */
final class ProjectionDiscriminator {
  private final Ops tf;
  private final Conv2d conv1;
  private final Conv2d conv2;
  private final GroupNorm norm2;
  private final Conv2d conv3;
  private final GroupNorm norm3;
  private final Dense out;
  private final Dense projection;

  ProjectionDiscriminator(GraphScope scope, ClipGanConfig c) {
    this.tf = scope.tf();
    long w = c.discChannels();
    this.conv1 = new Conv2d(scope.child("conv1"), c.channels(), w, 3);
    this.conv2 = new Conv2d(scope.child("conv2"), w, 2 * w, 4, 2, "SAME", false); // a bias before a norm does nothing
    this.norm2 = new GroupNorm(scope.child("norm2"), 2 * w, ConditionalGenerator.groups(2 * w));
    this.conv3 = new Conv2d(scope.child("conv3"), 2 * w, 4 * w, 4, 2, "SAME", false);
    this.norm3 = new GroupNorm(scope.child("norm3"), 4 * w, ConditionalGenerator.groups(4 * w));
    this.out = new Dense(scope.child("out"), 4 * w, 1);
    this.projection = new Dense(scope.child("projection"), c.conditionDim(), 4 * w, false);
  }

  Operand<TFloat32> logits(Operand<TFloat32> images, Operand<TFloat32> condition) {
    Operand<TFloat32> x = PixelRange.toSigned(tf, images);
    x = Activations.leakyRelu(tf, conv1.apply(x), 0.2f);
    x = Activations.leakyRelu(tf, norm2.apply(conv2.apply(x)), 0.2f);
    x = Activations.leakyRelu(tf, norm3.apply(conv3.apply(x)), 0.2f);
    Operand<TFloat32> features = tf.math.mean(x, tf.constant(new int[] {1, 2})); // [N, 4w]
    Operand<TFloat32> match = tf.reduceSum(tf.math.mul(projection.apply(condition), features), tf.constant(1),
        org.tensorflow.op.core.ReduceSum.keepDims(true));
    return tf.math.add(out.apply(features), match);
  }
}
