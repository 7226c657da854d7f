package dev.tessera.api.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.api.graph.Tensors;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A replica holding part i of n of the batch draws what one process draws for those rows, for
 * every kind of draw: that is what lets a cluster run train what one process trains.
 */
class StepRandomTest {
  private static float[] run(Operand<?> out, Session s) {
    try (Result r = s.runner().fetch(out).run()) {
      if (r.get(0) instanceof TInt32 ints) {
        int[] v = Tensors.toInts(ints);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
          f[i] = v[i];
        }
        return f;
      }
      return Tensors.toFloats((TFloat32) r.get(0));
    }
  }

  @Test
  void eachShardDrawsItsRowsOfTheWholeBatchsDraw() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TInt64> seed = tf.constant(new long[] {7, 3});
      StepRandom whole = new StepRandom(tf, seed);
      Operand<TInt32> wholeShape = tf.constant(new int[] {6, 2, 3});
      Operand<TInt32> shardShape = tf.constant(new int[] {2, 2, 3});
      List<java.util.function.BiFunction<StepRandom, Operand<TInt32>, Operand<?>>> draws = List.of(
          (r, shape) -> r.normal(shape, 1), (r, shape) -> r.uniform(shape, 2), (r, shape) -> r.uniformInt(shape, 1000, 0));
      for (var draw : draws) {
        float[] all = run(draw.apply(whole, wholeShape), s);
        for (int shard = 0; shard < 3; shard++) {
          float[] part = run(draw.apply(new StepRandom(tf, seed, shard, 3), shardShape), s);
          assertArrayEquals(Arrays.copyOfRange(all, shard * 12, (shard + 1) * 12), part, "shard " + shard);
        }
        assertFalse(Arrays.equals(Arrays.copyOfRange(all, 0, 12), Arrays.copyOfRange(all, 12, 24)), "the shards' rows differ");
      }
      // a rank-1 draw (one value per example: diffusion timesteps, condition dropout)
      float[] all = run(whole.uniform(tf.constant(new int[] {4}), 2), s);
      assertArrayEquals(Arrays.copyOfRange(all, 2, 4), run(new StepRandom(tf, seed, 1, 2).uniform(tf.constant(new int[] {2}), 2), s));
    }
  }

  @Test
  void aShardOutsideTheBatchIsRefused() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      assertThrows(IllegalArgumentException.class, () -> new StepRandom(tf, tf.constant(new long[] {1, 1}), 2, 2));
      assertThrows(IllegalArgumentException.class, () -> new TrainingInputs(null, null, null, null, 0, 0));
    }
  }
}
