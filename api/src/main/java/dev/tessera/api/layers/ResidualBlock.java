package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The residual block of the VQ-VAE paper (van den Oord et al. 2017, section 4.1):
 * x + conv1x1(ReLU(conv3x3(ReLU(x)))), with a narrower hidden width.
 */
public final class ResidualBlock {
  private final Ops tf;
  private final Conv2d conv3;
  private final Conv2d conv1;

  public ResidualBlock(GraphScope scope, long channels, long hiddenChannels) {
    this.tf = scope.tf();
    this.conv3 = new Conv2d(scope.child("conv3"), channels, hiddenChannels, 3);
    this.conv1 = new Conv2d(scope.child("conv1"), hiddenChannels, channels, 1);
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    Operand<TFloat32> h = conv3.apply(tf.nn.relu(x));
    h = conv1.apply(tf.nn.relu(h));
    return tf.math.add(x, h);
  }

  /** FLOPs of one block on an h x w map for one image. */
  public static long flops(long h, long w, long channels, long hiddenChannels) {
    return Conv2d.flops(h, w, 3, channels, hiddenChannels) + Conv2d.flops(h, w, 1, hiddenChannels, channels);
  }
}
