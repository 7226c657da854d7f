package dev.tessera.api.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.api.graph.Tensors;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The losses built on TensorFlow Java framework's (MeanSquaredError, Hinge, CosineSimilarity,
 * CategoricalCrossentropy) give the numbers and gradients of their written-out formulas, on
 * inputs whose batch size is only known when they run; and the framework's sparse cross-entropy,
 * which ClassificationLoss does not use, still has no gradient.
 */
class FrameworkLossesTest {
  private static final int N = 5;
  private static final int K = 4;

  /** Value and gradient (w.r.t. a) of {@code loss} and of {@code reference} at the same random [N, K] inputs. */
  private static void same(BiFunction<Ops, Operand<TFloat32>[], Operand<TFloat32>> loss,
      BiFunction<Ops, Operand<TFloat32>[], Operand<TFloat32>> reference) {
    SplittableRandom r = new SplittableRandom(7);
    float[] a = new float[N * K];
    float[] b = new float[N * K];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
      b[i] = (float) r.nextGaussian();
    }
    float[][] out = new float[2][];
    float[] values = new float[2];
    for (int v = 0; v < 2; v++) {
      try (Graph g = new Graph(); Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        @SuppressWarnings("unchecked")
        Operand<TFloat32>[] in = new Operand[] {
            tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, K))), tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, K)))};
        Operand<TFloat32> l = (v == 0 ? loss : reference).apply(tf, in);
        Output<?>[] grad = g.addGradients(l.asOutput(), new Output<?>[] {in[0].asOutput()});
        try (TFloat32 ta = Tensors.floats(new long[] {N, K}, a); TFloat32 tb = Tensors.floats(new long[] {N, K}, b);
            var res = s.runner().feed(in[0], ta).feed(in[1], tb).fetch(l).fetch(grad[0]).run()) {
          values[v] = ((TFloat32) res.get(0)).getFloat();
          out[v] = Tensors.toFloats((TFloat32) res.get(1));
        }
      }
    }
    assertEquals(values[1], values[0], 1e-5, "value");
    assertArrayEquals(out[1], out[0], 1e-5f, "gradient");
  }

  @Test
  void squaredError() {
    same((tf, x) -> SquaredError.mean(tf, x[0], x[1]),
        (tf, x) -> tf.math.mean(tf.math.squaredDifference(x[0], x[1]), tf.constant(new int[] {0, 1})));
  }

  @Test
  void hingeHalves() {
    same((tf, x) -> HingeLoss.belowOne(tf, x[0]),
        (tf, x) -> tf.math.mean(tf.nn.relu(tf.math.sub(tf.constant(1f), x[0])), tf.constant(new int[] {0, 1})));
    same((tf, x) -> HingeLoss.aboveMinusOne(tf, x[0]),
        (tf, x) -> tf.math.mean(tf.nn.relu(tf.math.add(tf.constant(1f), x[0])), tf.constant(new int[] {0, 1})));
  }

  @Test
  void clipLossIsOneMinusTheMeanCosine() {
    same((tf, x) -> ClipLoss.of(tf, x[0], x[1]), (tf, x) -> {
      Operand<TFloat32> dot = tf.reduceSum(tf.math.mul(x[0], x[1]), tf.constant(1));
      Operand<TFloat32> norms = tf.math.sqrt(tf.math.mul(tf.reduceSum(tf.math.square(x[0]), tf.constant(1)),
          tf.reduceSum(tf.math.square(x[1]), tf.constant(1))));
      return tf.math.mean(tf.math.sub(tf.constant(1f), tf.math.div(dot, norms)), tf.constant(0));
    });
  }

  @Test
  void crossEntropyOfLogitsAgainstIntegerLabels() {
    same((tf, x) -> ClassificationLoss.crossEntropy(tf, x[0], tf.constant(new int[] {0, 3, 1, 2, 3}), K), (tf, x) -> {
      Operand<TFloat32> targets = tf.oneHot(tf.constant(new int[] {0, 3, 1, 2, 3}), tf.constant(K), tf.constant(1f), tf.constant(0f));
      return tf.math.neg(tf.math.mean(tf.reduceSum(tf.math.mul(tf.nn.logSoftmax(x[0]), targets), tf.constant(1)), tf.constant(0)));
    });
  }

  /** Why ClassificationLoss one-hot encodes: if this starts failing, the sparse loss can train and may replace it. */
  @Test
  void theFrameworksSparseCrossEntropyHasNoGradientHere() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var logits = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, K)));
      Operand<TFloat32> l = new org.tensorflow.framework.losses.SparseCategoricalCrossentropy(true).call(tf, tf.constant(new int[] {1}), logits);
      assertThrows(org.tensorflow.exceptions.TensorFlowException.class, () -> g.addGradients(l.asOutput(), new Output<?>[] {logits.asOutput()}));
    }
  }
}
