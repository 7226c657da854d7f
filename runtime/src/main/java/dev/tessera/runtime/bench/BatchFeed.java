package dev.tessera.runtime.bench;

import dev.tessera.api.graph.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The data inputs of a benchmarked step, in one of two ways: {@link Mode#PER_STEP} copies each
 * batch from a Java array into a new tensor and feeds it on every step, as the trainer does;
 * {@link Mode#IN_GRAPH} holds the batch in the graph as a constant, so a step feeds nothing. The
 * difference between the two is the cost of the per-step copy.
 */
public final class BatchFeed {
  public enum Mode { PER_STEP, IN_GRAPH }

  private record Fed(Placeholder<?> placeholder, long[] shape, float[] floats, int[] ints) {}

  private final Ops tf;
  private final Mode mode;
  private final List<Fed> fed = new ArrayList<>();

  public BatchFeed(Ops tf, Mode mode) {
    this.tf = tf;
    this.mode = mode;
  }

  /** A float input of the given batch shape (the first axis of a fed one stays open). */
  public Operand<TFloat32> floats(long[] shape, float[] values) {
    if (mode == Mode.IN_GRAPH) {
      return tf.constant(org.tensorflow.ndarray.Shape.of(shape), org.tensorflow.ndarray.buffer.DataBuffers.of(values, true, false));
    }
    Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(openBatch(shape)));
    fed.add(new Fed(p, shape, values, null));
    return p;
  }

  /** An int input of the given batch shape. */
  public Operand<TInt32> ints(long[] shape, int[] values) {
    if (mode == Mode.IN_GRAPH) {
      return tf.constant(org.tensorflow.ndarray.Shape.of(shape), org.tensorflow.ndarray.buffer.DataBuffers.of(values, true, false));
    }
    Placeholder<TInt32> p = tf.placeholder(TInt32.class, Placeholder.shape(openBatch(shape)));
    fed.add(new Fed(p, shape, null, values));
    return p;
  }

  private static Shape openBatch(long[] shape) {
    long[] s = shape.clone();
    s[0] = -1;
    return Shape.of(s);
  }

  /** Copies every fed batch into a new tensor and feeds it; the tensors go to {@code opened} for the caller to close after the run. */
  public Session.Runner feed(Session.Runner runner, List<Tensor> opened) {
    for (Fed f : fed) {
      Tensor t = f.floats != null ? Tensors.floats(f.shape, f.floats) : Tensors.ints(f.shape, f.ints);
      opened.add(t);
      runner.feed(f.placeholder, t);
    }
    return runner;
  }
}
