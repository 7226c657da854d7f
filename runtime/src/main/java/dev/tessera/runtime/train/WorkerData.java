package dev.tessera.runtime.train;

import dev.tessera.api.graph.Tensors;
import dev.tessera.api.types.ImageBatch;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The training images held on one task of a cluster: uploaded once when a run starts, so that each
 * step sends the task the rows of its shard (int32 indices into the data set) instead of the
 * images. A variable outside the model's {@code VariableStore}: never saved, never initialised from
 * a seed; {@link #upload} fills it in chunks.
 */
final class WorkerData {
  /** Images per upload run: about 16 MB of 28x28 images, well under gRPC's message limits. */
  static final int CHUNK_BYTES = 16 << 20;

  private final Variable<TFloat32> images;
  private final Op clear;
  private final Placeholder<TInt32> chunkRows;
  private final Placeholder<TFloat32> chunk;
  private final Op write;
  private final long[] shape;

  /** The variable for {@code all}'s images and the ops that fill it, on {@code tf}'s device. */
  WorkerData(Ops tf, ImageBatch all) {
    this.shape = all.shape();
    Shape s = Shape.of(shape);
    Ops named = tf.withSubScope("worker_data");
    this.images = named.withName("images").variable(s, TFloat32.class);
    this.clear = named.assign(images, named.zeros(named.constant(shape), TFloat32.class));
    this.chunkRows = named.withName("chunk_rows").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    this.chunk = named.withName("chunk").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, shape[1], shape[2], shape[3])));
    this.write = named.scatterUpdate(images, chunkRows, chunk);
  }

  /** The images of {@code rows} (indices into the data set), gathered on this task. */
  Operand<TFloat32> gather(Ops tf, Operand<TInt32> rows) {
    return tf.gather(images, rows, tf.constant(0));
  }

  /** Copies every image of {@code all} (the data set the graph was built for) into the variable, in chunks of about 16 MB. */
  void upload(Session session, ImageBatch all) {
    upload(session, all, Math.max(1, CHUNK_BYTES / (4 * (int) (shape[1] * shape[2] * shape[3]))));
  }

  /** {@link #upload(Session, ImageBatch)} in chunks of {@code per} images. */
  void upload(Session session, ImageBatch all, int per) {
    if (!Arrays.equals(all.shape(), shape)) {
      throw new IllegalArgumentException("the data set is " + Arrays.toString(all.shape()) + ", the graph holds " + Arrays.toString(shape));
    }
    session.runner().addTarget(clear).run().close();
    for (int from = 0; from < all.count(); from += per) {
      int to = Math.min(all.count(), from + per);
      int[] rows = new int[to - from];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = from + i;
      }
      ImageBatch part = all.slice(from, to);
      try (TInt32 r = Tensors.ints(new long[] {rows.length}, rows); TFloat32 x = Tensors.floats(part.shape(), part.data())) {
        session.runner().feed(chunkRows, r).feed(chunk, x).addTarget(write).run().close();
      }
    }
  }
}
