package dev.tessera.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.api.graph.Tensors;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.IdxTestFiles;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

class WorkerDataTest {
  /** A graph holding {@code all} in a {@link WorkerData}, and the gather of fed rows. */
  private record Held(Graph graph, WorkerData data, Placeholder<TInt32> rows, Operand<TFloat32> picked) implements AutoCloseable {
    static Held of(ImageBatch all) {
      Graph g = new Graph();
      Ops tf = Ops.create(g);
      WorkerData data = new WorkerData(tf, all);
      Placeholder<TInt32> rows = tf.placeholder(TInt32.class);
      return new Held(g, data, rows, data.gather(tf, rows));
    }

    float[] gather(Session s, int... r) {
      try (TInt32 t = Tensors.ints(new long[] {r.length}, r); Result out = s.runner().feed(rows, t).fetch(picked).run()) {
        return Tensors.toFloats((TFloat32) out.get(0));
      }
    }

    @Override
    public void close() {
      graph.close();
    }
  }

  @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp;

  /** An IDX file of {@code count} 2x2 images ({@link IdxTestFiles#pixels}, each byte plus {@code shift}), gzip-compressed or not. */
  private java.nio.file.Path idx(String name, int count, int shift, boolean gzip) {
    byte[] px = IdxTestFiles.pixels(count, 2, 2);
    for (int i = 0; i < px.length; i++) {
      px[i] += (byte) shift;
    }
    byte[] bytes = IdxTestFiles.idx(new int[] {count, 2, 2}, px);
    return IdxTestFiles.write(tmp.resolve(name), gzip ? IdxTestFiles.gzip(bytes) : bytes);
  }

  /** A task reads the IDX file itself, plain or gzip, exactly as the client's reader does, and its checksum matches only the same images. */
  @Test
  void aTaskReadsTheIdxFileFromItsOwnDiskAndItsChecksumTellsItApart() throws Exception {
    java.nio.file.Path plain = idx("train-images-idx3-ubyte", 10, 0, false);
    java.nio.file.Path gz = idx("train-images-idx3-ubyte.gz", 10, 0, true);
    ImageBatch all = dev.tessera.runtime.data.IdxReader.readImages(plain).toImageBatch().slice(0, 7); // a --limit of 7
    try (Held held = Held.of(all); Session s = new Session(held.graph())) {
      WorkerData data = held.data();
      for (java.nio.file.Path f : new java.nio.file.Path[] {plain, gz}) {
        long sum = data.read(s, f.toString(), f.toString().endsWith(".gz"));
        org.junit.jupiter.api.Assertions.assertEquals(WorkerData.checksum(all), sum, f.toString());
        assertArrayEquals(all.data(), held.gather(s, 0, 1, 2, 3, 4, 5, 6), "bit for bit the client's floats");
      }
      org.junit.jupiter.api.Assertions.assertNotEquals(WorkerData.checksum(all), data.read(s, idx("other", 10, 1, false).toString(), false),
          "other pixels");
      ImageBatch shifted = dev.tessera.runtime.data.IdxReader.readImages(plain).toImageBatch().slice(1, 8);
      org.junit.jupiter.api.Assertions.assertNotEquals(WorkerData.checksum(all), WorkerData.checksum(shifted), "other rows");
      assertThrows(org.tensorflow.exceptions.TensorFlowException.class, () -> data.read(s, tmp.resolve("nowhere").toString(), false));
      java.nio.file.Path shorter = idx("short", 5, 0, false);
      assertThrows(RuntimeException.class, () -> data.read(s, shorter.toString(), false), "fewer images than the client's (TensorFlow's InvalidArgument)");
    }
  }

  /** Uploaded in chunks (the last one short), the held images gather back exactly, in the order asked. */
  @Test
  void theUploadedImagesGatherBackByRow() {
    float[] px = new float[10 * 2 * 2];
    for (int i = 0; i < px.length; i++) {
      px[i] = i * 0.25f;
    }
    ImageBatch all = new ImageBatch(10, 2, 2, 1, px);
    try (Held held = Held.of(all); Session s = new Session(held.graph())) {
      WorkerData data = held.data();
      data.upload(s, all, 3);
      float[] expected = new float[12];
      System.arraycopy(px, 36, expected, 0, 4);
      System.arraycopy(px, 0, expected, 4, 4);
      System.arraycopy(px, 16, expected, 8, 4);
      assertArrayEquals(expected, held.gather(s, 9, 0, 4));
      ImageBatch other = new ImageBatch(9, 2, 2, 1, Arrays.copyOf(px, 36));
      assertThrows(IllegalArgumentException.class, () -> data.upload(s, other));
    }
  }
}
