package dev.tessera.plugins.vqgan;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.PixelRange;
import dev.tessera.api.layers.Activations;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.GroupNorm;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * PatchGAN discriminator (Isola et al. 2017, as in Taming Transformers): strided 4x4 convolutions
 * with leaky ReLU (group norm after the first), then a 3x3 convolution to one logit per patch.
 * [N, S, S, C] in [0, 1] -> [N, S/4, S/4, 1]: each logit judges a receptive field, not the whole
 * image, which pushes the decoder toward locally sharp texture. Group norm instead of batch norm:
 * TF Java 1.1.0 has no gradient for fused batch norm, and a GAN's batch statistics mix real and fake.
 */
final class PatchDiscriminator {
  private final Ops tf;
  private final Conv2d conv1;
  private final Conv2d conv2;
  private final GroupNorm norm2;
  private final Conv2d conv3;
  private final GroupNorm norm3;
  private final Conv2d out;

  PatchDiscriminator(GraphScope scope, int channels, int width) {
    this.tf = scope.tf();
    this.conv1 = new Conv2d(scope.child("conv1"), channels, width, 4, 2);
    this.conv2 = new Conv2d(scope.child("conv2"), width, 2L * width, 4, 2, "SAME", false); // a bias before a norm does nothing
    this.norm2 = new GroupNorm(scope.child("norm2"), 2L * width, Math.min(8, 2L * width));
    this.conv3 = new Conv2d(scope.child("conv3"), 2L * width, 2L * width, 3, 1, "SAME", false);
    this.norm3 = new GroupNorm(scope.child("norm3"), 2L * width, Math.min(8, 2L * width));
    this.out = new Conv2d(scope.child("out"), 2L * width, 1, 3);
  }

  Operand<TFloat32> logits(Operand<TFloat32> images) {
    Operand<TFloat32> x = PixelRange.toSigned(tf, images);
    x = Activations.leakyRelu(tf, conv1.apply(x), 0.2f);
    x = Activations.leakyRelu(tf, norm2.apply(conv2.apply(x)), 0.2f);
    x = Activations.leakyRelu(tf, norm3.apply(conv3.apply(x)), 0.2f);
    return out.apply(x);
  }
}
