package dev.tessera.runtime.train;

import dev.tessera.api.graph.Tensors;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.IdxReader;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.io.DecodeCompressed;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * The training images held on one task of a cluster: filled once when a run starts, so that each
 * step sends the task the rows of its shard (int32 indices into the data set) instead of the
 * images. A variable outside the model's {@code VariableStore}: never saved, never initialised from
 * a seed. Either the task reads the data set's IDX file from its own disk ({@link #read}: the ops
 * run on the task, so the path is the task's; a checksum proves it holds what the client
 * holds), or {@link #upload} copies the client's images in chunks.
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
  // Reading an IDX file on the task: its path, the image bytes after the 16-byte header, plain or gzip.
  private final Placeholder<TString> file;
  private final Op[] readInto = new Op[2];
  private final Operand<TInt64>[] readChecksum;

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
    this.file = named.withName("file").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    @SuppressWarnings("unchecked")
    Operand<TInt64>[] sums = new Operand[2];
    this.readChecksum = sums;
    Operand<TString> raw = named.io.readFile(file);
    Operand<TString> unzipped = named.io.decodeCompressed(raw, DecodeCompressed.compressionType("GZIP"));
    long pixels = shape[1] * shape[2] * shape[3];
    for (int gz = 0; gz < 2; gz++) {
      Operand<TString> body = named.strings.substr(gz == 0 ? raw : unzipped, named.constant(IDX3_HEADER_BYTES),
          named.constant(Math.toIntExact(shape[0] * pixels)));
      Operand<TInt32> bytes = named.dtypes.cast(named.io.decodeRaw(body, TUint8.class), TInt32.class);
      // IdxReader's own table of i / 255f: TensorFlow may rewrite a division by a constant into a multiplication by its
      // reciprocal, which rounds differently (7 / 255 -> 0.027450982 instead of 0.02745098).
      Operand<TFloat32> unit = named.gather(named.constant(IdxReader.unitFloats()), bytes, named.constant(0));
      readInto[gz] = named.assign(images, named.reshape(unit, named.constant(shape)));
      readChecksum[gz] = checksum(named, bytes, shape[0], pixels);
    }
  }

  /** Bytes of an IDX file of images before the pixels: magic, count, rows, columns. */
  static final int IDX3_HEADER_BYTES = 16;
  /** The most pixels per image whose checksum sums fit an int32 (255 * 251 per pixel). */
  static final long MAX_READ_PIXELS = Integer.MAX_VALUE / (255L * 251);

  /** Whether a task can read these images from an IDX file ({@link #read}): one channel, small enough for the checksum. */
  boolean readable() {
    return shape[3] == 1 && shape[1] * shape[2] <= MAX_READ_PIXELS;
  }

  /**
   * A checksum of images as bytes (value * 255) that the task and the client compute alike and
   * exactly: each image's sum of pixel value times (pixel index mod 251 + 1), in int32 (no
   * overflow up to {@link #MAX_READ_PIXELS} pixels), then the sum over images of that times (image
   * index mod 9973 + 1), in int64. Tells a different file, another order or a shifted header apart.
   */
  private static Operand<TInt64> checksum(Ops tf, Operand<TInt32> bytes, long count, long pixels) {
    Operand<TInt32> perImage = tf.reshape(bytes, tf.constant(new long[] {count, pixels}));
    Operand<TInt32> pixelWeights = tf.math.add(tf.math.mod(tf.range(tf.constant(0), tf.constant((int) pixels), tf.constant(1)), tf.constant(251)),
        tf.constant(1));
    Operand<TInt64> imageSums = tf.dtypes.cast(tf.sum(tf.math.mul(perImage, pixelWeights), tf.constant(1)), TInt64.class);
    Operand<TInt64> imageWeights = tf.math.add(tf.math.mod(tf.range(tf.constant(0L), tf.constant(count), tf.constant(1L)), tf.constant(9973L)),
        tf.constant(1L));
    return tf.sum(tf.math.mul(imageSums, imageWeights), tf.constant(0));
  }

  /** {@link #checksum(Ops, Operand, long, long)} of the client's images, computed in Java. */
  static long checksum(ImageBatch all) {
    float[] px = all.data();
    int pixels = all.height() * all.width() * all.channels();
    long total = 0;
    for (int n = 0; n < all.count(); n++) {
      int sum = 0;
      for (int j = 0; j < pixels; j++) {
        sum += Math.round(px[n * pixels + j] * 255f) * (j % 251 + 1);
      }
      total += (long) sum * (n % 9973 + 1);
    }
    return total;
  }

  /** The images of {@code rows} (indices into the data set), gathered on this task. */
  Operand<TFloat32> gather(Ops tf, Operand<TInt32> rows) {
    return tf.gather(images, rows, tf.constant(0));
  }

  /**
   * Has the task read the first {@code count} images of the IDX file at {@code path} (plain or
   * gzip, on the task's own disk) into the variable, and returns the checksum of what it read
   * ({@link #checksum(ImageBatch)} gives the client's). Fails as the task's read fails (a missing
   * file, a short one).
   */
  long read(Session session, String path, boolean gzip) {
    return readAll(session, List.of(this), path, gzip)[0];
  }

  /** {@link #read} on several tasks at once (one session run: the tasks read in parallel), their checksums in order. */
  static long[] readAll(Session session, List<WorkerData> tasks, String path, boolean gzip) {
    int v = gzip ? 1 : 0;
    try (TString p = TString.scalarOf(path)) {
      Session.Runner runner = session.runner();
      for (WorkerData d : tasks) {
        runner.feed(d.file, p).addTarget(d.readInto[v]).fetch(d.readChecksum[v]);
      }
      try (org.tensorflow.Result r = runner.run()) {
        long[] out = new long[tasks.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = ((TInt64) r.get(i)).getLong();
        }
        return out;
      }
    }
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
