package dev.tessera.api.layers;

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
    Operand<TFloat32> y = tf.nn.conv2d(x, kernel, List.of(1L, (long) stride, (long) stride, 1L), padding);
    return bias == null ? y : tf.nn.biasAdd(y, bias);
  }

  /** FLOPs (2 x multiply-adds) of one output map of size outH x outW for one image. */
  public static long flops(long outH, long outW, long kernelSize, long in, long out) {
    return 2 * outH * outW * kernelSize * kernelSize * in * out;
  }
}
