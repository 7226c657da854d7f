package dev.tessera.runtime.train;

import dev.tessera.api.TesseraException;
import java.util.Arrays;

/**
 * One step's global batch as Java arrays, and the shards the replicas of a cluster train on.
 *
 * @param size examples in the batch
 * @param rows the data set's index of each example
 * @param exampleShape height, width, channels of one image
 * @param images {@code size} images, row-major; null where the tasks hold the data set (their rows are fed)
 * @param labels one class id per image (-1 without labels)
 * @param tokens {@code size x textLength} caption token ids; null when the model reads no text
 */
record StepBatch(int size, int[] rows, long[] exampleShape, float[] images, int[] labels, int[] tokens, int textLength) {

  /**
   * Shard {@code index} of {@code count}: examples {@code [index * size / count, (index + 1) * size / count)}.
   * Shards are equal, so the mean of the shards' mean losses is the mean loss of the batch.
   */
  StepBatch shard(int index, int count) {
    checkDivisible(size, count);
    int per = size / count;
    int from = index * per;
    int pixels = (int) (exampleShape[0] * exampleShape[1] * exampleShape[2]);
    return new StepBatch(per, Arrays.copyOfRange(rows, from, from + per), exampleShape,
        images == null ? null : Arrays.copyOfRange(images, from * pixels, (from + per) * pixels),
        Arrays.copyOfRange(labels, from, from + per),
        tokens == null ? null : Arrays.copyOfRange(tokens, from * textLength, (from + per) * textLength),
        textLength);
  }

  static void checkDivisible(int batchSize, int workers) {
    if (batchSize % workers != 0) {
      throw new TesseraException("batch size " + batchSize + " does not split evenly over " + workers
          + " workers: use a --batch-size that is a multiple of " + workers);
    }
  }

  long[] shape() {
    return new long[] {size, exampleShape[0], exampleShape[1], exampleShape[2]};
  }
}
