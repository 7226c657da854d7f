package dev.tessera.api.pipeline;

import dev.tessera.api.TesseraException;
import dev.tessera.api.types.ImageBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The batching every one-pass pipeline does: {@code count} images drawn in batches of at most
 * {@code batchSize}, progress reported after each batch, the batches stacked in order.
 */
public final class Batches {
  private Batches() {}

  /** Draws images {@code from} .. {@code from + n - 1}. */
  @FunctionalInterface
  public interface Batch {
    ImageBatch draw(int from, int n);
  }

  /** The {@code count} images; a count below 1 is an error naming {@code --num-images}. */
  public static ImageBatch draw(int count, int batchSize, GenerationPipeline.Progress progress, Batch batch) {
    if (count < 1) {
      throw new TesseraException("--num-images must be positive, got " + count);
    }
    List<ImageBatch> parts = new ArrayList<>();
    for (int from = 0; from < count; from += batchSize) {
      int n = Math.min(batchSize, count - from);
      parts.add(batch.draw(from, n));
      if (progress != null) {
        progress.update(from + n, count);
      }
    }
    return ImageBatch.stack(parts);
  }
}
