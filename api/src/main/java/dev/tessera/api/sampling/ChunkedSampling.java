package dev.tessera.api.sampling;

import dev.tessera.api.pipeline.GenerationPipeline;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * How a diffusion pipeline draws {@code count} samples: in chunks of at most {@code batchSize} (one
 * session run per step and chunk), each chunk a {@link SamplingLoop} under a fresh scheduler and
 * its own random stream ({@code seed * 1_000_003 + chunk}), so the same (count, seed, batch size)
 * gives the same samples in every pipeline that samples this way. Progress counts steps over all chunks.
 */
public final class ChunkedSampling {
  private ChunkedSampling() {}

  /** The model's noise prediction for the chunk of samples {@code from .. from + n - 1} at timestep t. */
  @FunctionalInterface
  public interface ChunkDenoiser {
    float[] epsilon(float[] sample, int t, int from, int n);
  }

  /**
   * @param schedulers a new scheduler, its timesteps set, for each chunk
   * @param valuesPerSample values of one sample (pixels x channels, latent values)
   * @param progress may be null
   * @return count x valuesPerSample values, chunk after chunk
   */
  public static float[] run(Supplier<Scheduler> schedulers, int count, int batchSize, int valuesPerSample, long seed, ChunkDenoiser model,
      GenerationPipeline.Progress progress) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be positive, got " + count);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    float[] out = new float[count * valuesPerSample];
    int chunks = (count + batchSize - 1) / batchSize;
    long done = 0;
    long total = -1;
    for (int from = 0, chunk = 0; from < count; from += batchSize, chunk++) {
      int n = Math.min(batchSize, count - from);
      int first = from;
      Scheduler scheduler = schedulers.get();
      int steps = scheduler.timesteps().length;
      if (total < 0) {
        total = (long) steps * chunks;
      }
      long before = done;
      long all = total;
      float[] sample = SamplingLoop.run(scheduler, n * valuesPerSample, (x, t) -> model.epsilon(x, t, first, n),
          new SplittableRandom(seed * 1_000_003L + chunk), (i, loopSteps) -> {
            if (progress != null) {
              progress.update(before + i, all);
            }
          });
      done += steps;
      System.arraycopy(sample, 0, out, from * valuesPerSample, sample.length);
    }
    return out;
  }
}
