package dev.tessera.api.layers;

import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The head reshapes and batched products that self- and cross-attention share. */
final class AttentionOps {
  private AttentionOps() {}

  /**
   * a b (or a b^T) per leading index, built as TensorFlow's BatchMatMulV2: oneDNN builds rewrite
   * that to their own kernel, while the V3 that TF Java's {@code tf.train.batchMatMul} builds runs
   * Eigen's, 1.7x slower on the attention products here (docs/benchmarks.md). Both have gradients.
   */
  static Operand<TFloat32> bmm(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean adjY) {
    GraphOperation op = (GraphOperation) tf.scope().opBuilder("BatchMatMulV2", "BatchMatMulV2")
        .addInput(a.asOutput()).addInput(b.asOutput()).setAttr("adj_x", false).setAttr("adj_y", adjY).build();
    return op.output(0);
  }

  /** [B, T, D] -> [B, T, H, Dh] -> [B, H, T, Dh] */
  static Operand<TFloat32> splitHeads(Ops tf, Operand<TFloat32> x, long t, int heads, long dim) {
    Operand<TFloat32> r = tf.reshape(x, tf.constant(new long[] {-1, t, heads, dim / heads}));
    return tf.linalg.transpose(r, tf.constant(new int[] {0, 2, 1, 3}));
  }

  /** [B, H, T, Dh] -> [B, T, H, Dh] -> [B, T, D] */
  static Operand<TFloat32> mergeHeads(Ops tf, Operand<TFloat32> context, long t, long dim) {
    return tf.reshape(tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3})), tf.constant(new long[] {-1, t, dim}));
  }
}
