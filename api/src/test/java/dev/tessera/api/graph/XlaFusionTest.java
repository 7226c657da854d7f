package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.layers.LayerNorm;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class XlaFusionTest {
  private static boolean marked(Operand<?> op) {
    try {
      return ((GraphOperation) op.op()).attributes().getAttrBool("_XlaCompile");
    } catch (RuntimeException e) {
      return false; // no such attribute
    }
  }

  @Test
  void largeActivationsGetMarkedOpsAndSmallOrDynamicOnesDoNot() {
    assumeTrue(XlaFusion.enabled(), "TESSERA_FUSION=off");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> sequence = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 64, 256)));
      Placeholder<TFloat32> step = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1, 256)));
      Placeholder<TFloat32> dynamic = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, 256)));
      Ops fused = XlaFusion.forActivations(tf, sequence);
      assertTrue(marked(fused.math.mul(sequence, fused.constant(2f))), "16,384 values per example are fused");
      assertTrue(marked(fused.withSubScope("block").withName("x").math.add(sequence, sequence)), "marking survives sub-scopes and names");
      assertSame(tf, XlaFusion.forActivations(tf, step), "256 values per example: a cluster costs more than it saves");
      assertSame(tf, XlaFusion.forActivations(tf, dynamic), "unknown length: not decided statically");
      assertFalse(marked(tf.math.mul(sequence, tf.constant(2f))), "the ops builder itself stays unmarked");
    }
  }

  @Test
  void aFusedLayerNormComputesWhatTheUnfusedOneDoes() {
    float[] x = new float[2 * 64 * 64];
    SplittableRandom random = new SplittableRandom(4);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (3 * random.nextGaussian() + 1);
    }
    assertArrayEquals(layerNorm(x, false), layerNorm(x, true), 1e-5f);
  }

  /** A LayerNorm over [2, 64, 64] (fused when large enough), or the same ops unmarked. */
  private static float[] layerNorm(float[] x, boolean fused) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      GraphScope root = GraphScope.root(g);
      Placeholder<TFloat32> in = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 64, 64)));
      Operand<TFloat32> y = fused ? new LayerNorm(root.child("ln"), 64).apply(in) : unfusedLayerNorm(root.tf(), in);
      root.variables().initialize(s, 1);
      try (TFloat32 t = Tensors.floats(new long[] {2, 64, 64}, x); Result r = s.runner().feed(in, t).fetch(y).run()) {
        return Tensors.toFloats(r.get(0));
      }
    }
  }

  private static Operand<TFloat32> unfusedLayerNorm(Ops tf, Operand<TFloat32> x) {
    Operand<org.tensorflow.types.TInt32> last = tf.constant(new int[] {-1});
    Operand<TFloat32> centered = tf.math.sub(x, tf.math.mean(x, last, org.tensorflow.op.math.Mean.keepDims(true)));
    Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), last, org.tensorflow.op.math.Mean.keepDims(true));
    return tf.math.mul(centered, tf.math.rsqrt(tf.math.add(variance, tf.constant(1e-5f)))); // gamma 1, beta 0 at initialisation
  }
}
