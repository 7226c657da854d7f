package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Transposed 2-D convolution (the gradient of a strided convolution, Conv2DBackpropInput) with
 * SAME padding: [N, H, W, in] -> [N, H*stride, W*stride, out]. Kernel [k, k, out, in].
 */
public final class ConvTranspose2d {
  private final Ops tf;
  private final GraphScope scope;
  private final long out;
  private final int stride;
  private final Operand<TFloat32> kernel;
  private final Operand<TFloat32> bias;

  public ConvTranspose2d(GraphScope scope, long in, long out, int kernelSize, int stride) {
    this.tf = scope.tf();
    this.scope = scope;
    this.out = out;
    this.stride = stride;
    // Each output pixel sees about (k/stride)^2 * in inputs; PyTorch uses k*k*out as fan-in here.
    long fanIn = (long) kernelSize * kernelSize * out;
    this.kernel = scope.weight("kernel", new long[] {kernelSize, kernelSize, out, in}, Initializers.torchDefault(fanIn));
    this.bias = scope.weight("bias", new long[] {out}, Initializers.torchDefault(fanIn));
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    long h = GraphScope.staticDim(x, 1);
    long w = GraphScope.staticDim(x, 2);
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> outputShape =
        tf.concat(List.of(batch, tf.constant(new int[] {(int) (h * stride), (int) (w * stride), (int) out})), tf.constant(0));
    Operand<TFloat32> y =
        tf.nn.conv2dBackpropInput(outputShape, kernel, x, List.of(1L, (long) stride, (long) stride, 1L), "SAME");
    // The op's static shape is unknown; a reshape restores it (EnsureShape has no gradient in 1.1.0).
    y = tf.reshape(y, tf.constant(new long[] {-1, h * stride, w * stride, out}));
    return scope.addBias(y, bias);
  }
}
