package dev.tessera.api.layers;

import dev.tessera.api.graph.NativeOps;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** 2-D convolution over NHWC input, kernel [k, k, in, out], SAME or VALID padding. */
public final class Conv2d {
  private final Ops tf;
  private final GraphScope scope;
  private final int stride;
  private final String padding;
  private final Operand<TFloat32> kernel;
  private final Operand<TFloat32> bias;

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
    this.scope = scope;
    this.stride = stride;
    this.padding = padding;
    long fanIn = (long) kernelSize * kernelSize * in;
    this.kernel = scope.weight("kernel", new long[] {kernelSize, kernelSize, in, out}, Initializers.torchDefault(fanIn));
    this.bias = useBias ? scope.weight("bias", new long[] {out}, Initializers.torchDefault(fanIn)) : null;
  }

  public Operand<TFloat32> apply(Operand<TFloat32> x) {
    if (nativeConv3x3(x)) {
      return conv3x3(x);
    }
    if (pointwiseAsProduct(x)) {
      return pointwise(x);
    }
    Operand<TFloat32> y = tf.nn.conv2d(x, kernel, List.of(1L, (long) stride, (long) stride, 1L), padding);
    return bias == null ? y : scope.addBias(y, bias);
  }

  /**
   * Whether this convolution runs on Tessera's own 3x3 kernel ({@link NativeOps#conv3x3}): 3x3,
   * stride 1, SAME, with a bias, the spatial size known, and the kernel preferred on this CPU
   * ({@link NativeOps#conv3x3Preferred}).
   */
  private boolean nativeConv3x3(Operand<TFloat32> x) {
    long[] k = kernel.shape().asArray();
    return bias != null && stride == 1 && padding.equals("SAME") && k[0] == 3 && k[1] == 3 && knownSize(x) && NativeOps.conv3x3Preferred();
  }

  /**
   * The 3x3 kernel; output channels that are not a multiple of 16 (a U-Net's last layer has one)
   * are padded with zero filters to the next multiple and sliced off after: 16 channels on this
   * kernel cost less than one on oneDNN's (2.7 ms per call for 32 -> 1 channels at 32x32, batch 16).
   */
  private Operand<TFloat32> conv3x3(Operand<TFloat32> x) {
    long out = kernel.shape().size(3);
    long padded = (out + 15) / 16 * 16;
    if (padded == out) {
      return NativeOps.conv3x3(tf, x, kernel, bias);
    }
    int extra = (int) (padded - out);
    Operand<TFloat32> k = tf.pad(kernel, tf.constant(new int[][] {{0, 0}, {0, 0}, {0, 0}, {0, extra}}), tf.constant(0f));
    Operand<TFloat32> b = tf.pad(bias, tf.constant(new int[][] {{0, extra}}), tf.constant(0f));
    // int32 begin and size: the slice's gradient builds its padding from an int32 shape.
    return tf.slice(NativeOps.conv3x3(tf, x, k, b), tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {-1, -1, -1, (int) out}));
  }

  /**
   * Whether a 1x1 convolution runs as one matrix product over the pixels: where Tessera's kernels
   * are preferred (the same CPUs, {@link NativeOps#conv3x3Preferred}), since oneDNN 3.5 ran the
   * U-Net's 1x1 skip convolutions there at about 20 GFLOP/s.
   */
  private boolean pointwiseAsProduct(Operand<TFloat32> x) {
    long[] k = kernel.shape().asArray();
    return k[0] == 1 && k[1] == 1 && stride == 1 && knownSize(x) && NativeOps.conv3x3Preferred();
  }

  /** [N, H, W, Ci] as [N*H*W, Ci] times the kernel as [Ci, Co], plus the bias. */
  private Operand<TFloat32> pointwise(Operand<TFloat32> x) {
    long in = kernel.shape().size(2);
    long out = kernel.shape().size(3);
    Operand<TFloat32> rows = tf.linalg.matMul(tf.reshape(x, tf.constant(new long[] {-1, in})), tf.reshape(kernel, tf.constant(new long[] {in, out})));
    Operand<TFloat32> y = tf.reshape(rows, tf.constant(new long[] {-1, x.shape().size(1), x.shape().size(2), out}));
    return bias == null ? y : scope.addBias(y, bias);
  }

  private static boolean knownSize(Operand<TFloat32> x) {
    return x.shape().numDimensions() == 4 && x.shape().size(1) > 0 && x.shape().size(2) > 0;
  }

  /** FLOPs (2 x multiply-adds) of one output map of size outH x outW for one image. */
  public static long flops(long outH, long outW, long kernelSize, long in, long out) {
    return 2 * outH * outW * kernelSize * kernelSize * in * out;
  }
}
