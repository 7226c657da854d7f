package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.StridedSliceAssign;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The keys and values one attention layer has computed for the positions decoded so far, kept in
 * graph variables between session runs so that each new token costs one position instead of the
 * whole sequence. Slots are [B, H, length, Dh]; a write puts a chunk of positions at an offset.
 * The variables have no fixed shape: the first write of a sequence ({@code fresh}) allocates them
 * for its batch, so one graph serves any batch size. They are sampling state, not weights, and
 * are not in the variable store.
 */
public final class KeyValueCache {
  private final Ops tf;
  private final long length;
  private final Variable<TFloat32> keys;
  private final Variable<TFloat32> values;

  /** A chunk written: the whole slot after the write, and the op that stores it. */
  public record Write(Operand<TFloat32> all, Op store) {}

  public KeyValueCache(GraphScope scope, long length) {
    this.tf = scope.tf();
    this.length = length;
    this.keys = tf.withName("cache_keys").variable(Shape.unknown(), TFloat32.class);
    this.values = tf.withName("cache_values").variable(Shape.unknown(), TFloat32.class);
  }

  public long length() {
    return length;
  }

  public Write writeKeys(Operand<TFloat32> chunk, Operand<TInt32> start, boolean fresh) {
    return write(keys, chunk, start, fresh);
  }

  public Write writeValues(Operand<TFloat32> chunk, Operand<TInt32> start, boolean fresh) {
    return write(values, chunk, start, fresh);
  }

  /**
   * chunk [B, H, c, Dh] at positions [start, start + c). A fresh write allocates the slot: the chunk
   * padded with zeros. A later write stores the chunk in place (StridedSliceAssign on the slot
   * variable, c positions written) and then reads the whole slot: rebuilding the slot from
   * masks, as this did first, read and wrote it whole several times per layer and code.
   */
  private Write write(Variable<TFloat32> slot, Operand<TFloat32> chunk, Operand<TInt32> start, boolean fresh) {
    long c = GraphScope.staticDim(chunk, 2);
    if (fresh) {
      Operand<TInt32> after = tf.math.sub(tf.constant((int) (length - c)), start);
      Operand<TInt32> none = tf.constant(new int[] {0, 0});
      Operand<TInt32> paddings = tf.stack(List.of(none, none, tf.stack(List.of(start, after)), none));
      Operand<TFloat32> placed = tf.pad(chunk, paddings, tf.constant(0f));
      return new Write(placed, tf.assign(slot, placed, Assign.validateShape(false)));
    }
    Operand<TInt32> zero = tf.constant(0);
    Operand<TInt32> begin = tf.stack(List.of(zero, zero, start, zero));
    Operand<TInt32> end = tf.stack(List.of(zero, zero, tf.math.add(start, tf.constant((int) c)), zero));
    long allButPositions = 0b1011; // axes 0, 1 and 3 whole
    Op store = tf.stridedSliceAssign(slot, begin, end, tf.constant(new int[] {1, 1, 1, 1}), chunk,
        StridedSliceAssign.beginMask(allButPositions), StridedSliceAssign.endMask(allButPositions));
    Operand<TFloat32> all = tf.withControlDependencies(List.of(store)).identity(slot);
    // The slot variable has no static shape; restore it so later ops (and TF's cost model) see ranks.
    all = tf.reshape(all, tf.constant(new long[] {-1, GraphScope.staticDim(chunk, 1), length, GraphScope.staticDim(chunk, 3)}));
    return new Write(all, store);
  }

  /**
   * Additive attention mask [c, length] for queries at positions start..start+c-1: 0 where the key
   * position is at or before the query's, -1e9 elsewhere (later positions and empty slots).
   */
  public Operand<TFloat32> causalMask(long chunk, Operand<TInt32> start) {
    Operand<TInt32> keyPos = tf.expandDims(tf.range(tf.constant(0), tf.constant((int) length), tf.constant(1)), tf.constant(0));
    Operand<TInt32> queryPos = tf.expandDims(
        tf.math.add(tf.range(tf.constant(0), tf.constant((int) chunk), tf.constant(1)), start), tf.constant(1));
    Operand<TFloat32> allowed = tf.dtypes.cast(tf.math.lessEqual(keyPos, queryPos), TFloat32.class);
    return tf.math.mul(tf.math.sub(tf.constant(1f), allowed), tf.constant(-1e9f));
  }
}
