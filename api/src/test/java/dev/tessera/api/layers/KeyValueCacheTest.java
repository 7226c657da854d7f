package dev.tessera.api.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Cached attention, a prefix chunk then one position per run, equals causal attention over the whole sequence. */
class KeyValueCacheTest {
  @Test
  void cachedPassesEqualTheFullCausalPass() {
    int batch = 2;
    int length = 5;
    int dim = 8;
    float[] x = Reference.random(batch * length * dim, 3);
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Ops tf = root.tf();
      TransformerBlock block = new TransformerBlock(root.child("block"), dim, 2, 2, true);
      Placeholder<TFloat32> whole = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, length, dim)));
      Operand<TFloat32> full = block.apply(whole);
      KeyValueCache cache = new KeyValueCache(root.child("cache"), length);
      Placeholder<TFloat32> prefix = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2, dim)));
      MultiHeadAttention.Cached first = block.applyCached(prefix, cache, tf.constant(0), true);
      Placeholder<TFloat32> one = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1, dim)));
      Placeholder<TInt32> position = tf.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      MultiHeadAttention.Cached next = block.applyCached(one, cache, position, false);
      try (Session s = new Session(g)) {
        root.variables().initialize(s, 1);
        float[] expected;
        try (TFloat32 t = Tensors.floats(new long[] {batch, length, dim}, x); Result r = s.runner().feed(whole, t).fetch(full).run()) {
          expected = Tensors.toFloats(r.get(0));
        }
        float[] got = new float[expected.length];
        try (TFloat32 t = Tensors.floats(new long[] {batch, 2, dim}, rows(x, batch, length, dim, 0, 2));
            Result r = run(s.runner().feed(prefix, t), first)) {
          place(got, Tensors.toFloats(r.get(0)), batch, length, dim, 0, 2);
        }
        for (int p = 2; p < length; p++) {
          try (TFloat32 t = Tensors.floats(new long[] {batch, 1, dim}, rows(x, batch, length, dim, p, 1)); TInt32 at = TInt32.scalarOf(p);
              Result r = run(s.runner().feed(one, t).feed(position, at), next)) {
            place(got, Tensors.toFloats(r.get(0)), batch, length, dim, p, 1);
          }
        }
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], got[i], 1e-5, "element " + i);
        }
      }
    }
  }

  private static Result run(Session.Runner runner, MultiHeadAttention.Cached pass) {
    pass.stores().forEach(runner::addTarget);
    return runner.fetch(pass.output()).run();
  }

  private static float[] rows(float[] x, int batch, int length, int dim, int from, int count) {
    float[] out = new float[batch * count * dim];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(x, (b * length + from) * dim, out, b * count * dim, count * dim);
    }
    return out;
  }

  private static void place(float[] into, float[] rows, int batch, int length, int dim, int from, int count) {
    for (int b = 0; b < batch; b++) {
      System.arraycopy(rows, b * count * dim, into, (b * length + from) * dim, count * dim);
    }
  }
}
