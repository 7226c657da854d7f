package dev.tessera.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.api.graph.Tensors;
import dev.tessera.api.types.ImageBatch;
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
  /** Uploaded in chunks (the last one short), the held images gather back exactly, in the order asked. */
  @Test
  void theUploadedImagesGatherBackByRow() {
    float[] px = new float[10 * 2 * 2];
    for (int i = 0; i < px.length; i++) {
      px[i] = i * 0.25f;
    }
    ImageBatch all = new ImageBatch(10, 2, 2, 1, px);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      WorkerData data = new WorkerData(tf, all);
      Placeholder<TInt32> rows = tf.placeholder(TInt32.class);
      Operand<TFloat32> picked = data.gather(tf, rows);
      try (Session s = new Session(g)) {
        data.upload(s, all, 3);
        try (TInt32 r = Tensors.ints(new long[] {3}, new int[] {9, 0, 4}); Result out = s.runner().feed(rows, r).fetch(picked).run()) {
          float[] expected = new float[12];
          System.arraycopy(px, 36, expected, 0, 4);
          System.arraycopy(px, 0, expected, 4, 4);
          System.arraycopy(px, 16, expected, 8, 4);
          assertArrayEquals(expected, Tensors.toFloats((TFloat32) out.get(0)));
        }
        ImageBatch other = new ImageBatch(9, 2, 2, 1, Arrays.copyOf(px, 36));
        assertThrows(IllegalArgumentException.class, () -> data.upload(s, other));
      }
    }
  }
}
