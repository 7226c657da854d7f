package dev.tessera.api.graph;

import dev.tessera.api.types.ImageBatch;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Copies between Java arrays and TensorFlow tensors. The caller owns every tensor returned and
 * closes it (try-with-resources); a closed tensor must never be read.
 */
public final class Tensors {
  private Tensors() {}

  public static TFloat32 floats(long[] shape, float[] values) {
    long n = Initializer.numElements(shape);
    if (n != values.length) {
      throw new IllegalArgumentException(
          "shape " + java.util.Arrays.toString(shape) + " needs " + n + " values, got " + values.length);
    }
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  public static TFloat32 scalar(float value) {
    return TFloat32.scalarOf(value);
  }

  public static TInt32 ints(long[] shape, int[] values) {
    return TInt32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  public static TFloat32 images(ImageBatch batch) {
    return floats(batch.shape(), batch.data());
  }

  public static float[] toFloats(Tensor tensor) {
    TFloat32 t = (TFloat32) tensor;
    float[] out = new float[Math.toIntExact(t.shape().size())];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  public static int[] toInts(Tensor tensor) {
    TInt32 t = (TInt32) tensor;
    int[] out = new int[Math.toIntExact(t.shape().size())];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  public static float toScalar(Tensor tensor) {
    return ((TFloat32) tensor).getFloat();
  }

  public static ImageBatch toImages(Tensor tensor) {
    long[] s = tensor.shape().asArray();
    if (s.length != 4) {
      throw new IllegalArgumentException("expected an NHWC image tensor, got shape " + tensor.shape());
    }
    return new ImageBatch((int) s[0], (int) s[1], (int) s[2], (int) s[3], toFloats(tensor));
  }
}
