package dev.tessera.api.graph;

import dev.tessera.api.TesseraException;
import java.util.Arrays;
import org.tensorflow.Operand;

/**
 * Checks a component makes on the static shape of its input when it builds its graph. A wrong
 * size then fails at once, with a message that names the input and the size the config asks for,
 * instead of deep inside TensorFlow, or not at all: a convolution over 1 channel accepts 2 as a
 * grouped convolution. Dimensions unknown when the graph is built (the batch) are not checked.
 */
public final class InputShapes {
  private InputShapes() {}

  /**
   * Requires the last axis of {@code x} to have {@code size} entries.
   *
   * @param what names the input and where the size comes from, e.g. "vqvae decoder latents (embedding_dim)"
   * @throws TesseraException when the last axis is known and has another size
   */
  public static void requireLastAxis(Operand<?> x, long size, String what) {
    long[] shape = x.shape().asArray();
    if (shape.length == 0) {
      throw new TesseraException(what + " must have a last axis of " + size + ", got a scalar");
    }
    long last = shape[shape.length - 1];
    if (last >= 0 && last != size) {
      throw new TesseraException(what + " must have " + size + " values on the last axis, got shape " + Arrays.toString(shape));
    }
  }

  /**
   * Requires {@code x} to have the given rank and, where {@code dims} is not -1, those sizes.
   *
   * @param dims the expected shape, -1 for "any size" (the batch)
   * @throws TesseraException when the rank differs or a known size differs
   */
  public static void require(Operand<?> x, String what, long... dims) {
    long[] shape = x.shape().asArray();
    boolean fits = shape.length == dims.length;
    for (int i = 0; fits && i < dims.length; i++) {
      fits = dims[i] < 0 || shape[i] < 0 || dims[i] == shape[i];
    }
    if (!fits) {
      throw new TesseraException(what + " must have shape " + Arrays.toString(dims).replace("-1", "N") + ", got " + Arrays.toString(shape));
    }
  }
}
