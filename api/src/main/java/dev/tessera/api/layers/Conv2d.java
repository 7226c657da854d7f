package dev.tessera.api.layers;

import dev.tessera.api.graph.NativeOps;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** 2-D convolution over NHWC input, kernel [k, k, in, out], SAME or VALID padding. */
public final class Conv2d {
  private final Ops tf;
  private final int stride;
  private final String padding;
  private final Variable<TFloat32> kernel;
  private final Variable<TFloat32> bias;

  public Conv2d(GraphScope scope, long in, long out, int kernelSize) {
    this(scope, in, out, kernelSize, 1, "SAME", true);
  }

  public Conv2d(GraphScope scope, long in, long out, int kernelSize, int stride) {
    this(scope, in, out, kernelSize, stride, "SAME", true);
  }

  public Conv2d(GraphScope scope, long in, long out, int kernelSize, int stride, String padding, boolean useBias) {
    if (!padding.equals("SAME") && !padding.equals("VALID")) {
      throw new IllegalArgumentException("padding must be SAME or VALID, got " + padding);
    }
    this.tf = scope.tf();
    this.stride = stride;
    this.padding = padding;
    long fanIn = (long) kernelSize * kernelSize * in;
    this.kernel = scope.parameter("kernel", new long[] {kernelSize, kernelSize, in, out}, Initializers.torchDefault(fanIn));
    this.bias = useBias ? scope.parameter("bias", new long[] {out}, Initializers.torchDefault(fanIn)) : null;
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    if (nativeConv3x3(x)) {
      return NativeOps.conv3x3(tf, x, kernel, bias);
    }
    Operand<TFloat32> y = tf.nn.conv2d(x, kernel, List.of(1L, (long) stride, (long) stride, 1L), padding);
    return bias == null ? y : tf.nn.biasAdd(y, bias);
  }

  /**
   * Whether this convolution runs on Tessera's own 3x3 kernel ({@link NativeOps#conv3x3}): 3x3,
   * stride 1, SAME, with a bias, output channels a multiple of 16, the spatial size known, and the
   * kernel preferred on this CPU ({@link NativeOps#conv3x3Preferred}).
   */
  private boolean nativeConv3x3(Operand<TFloat32> x) {
    long[] k = kernel.shape().asArray();
    return bias != null && stride == 1 && padding.equals("SAME") && k[0] == 3 && k[1] == 3 && k[3] % 16 == 0 && x.shape().numDimensions() == 4
        && x.shape().size(1) > 0 && x.shape().size(2) > 0 && NativeOps.conv3x3Preferred();
  }

  /** FLOPs (2 x multiply-adds) of one output map of size outH x outW for one image. */
  public static long flops(long outH, long outW, long kernelSize, long in, long out) {
    return 2 * outH * outW * kernelSize * kernelSize * in * out;
  }
}
