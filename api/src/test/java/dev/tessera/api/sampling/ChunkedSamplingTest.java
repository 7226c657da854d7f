package dev.tessera.api.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chunks, their seeds and the progress they report. */
class ChunkedSamplingTest {
  private static Scheduler ddim(int steps) {
    Scheduler s = new DdimScheduler(NoiseSchedule.named("linear", 100), 0);
    s.setTimesteps(steps);
    return s;
  }

  @Test
  void eachChunkIsItsOwnLoopWithItsOwnSeed() {
    List<int[]> calls = new ArrayList<>();
    ChunkedSampling.ChunkDenoiser zero = (x, t, from, n) -> {
      calls.add(new int[] {from, n});
      return new float[x.length];
    };
    List<long[]> progress = new ArrayList<>();
    float[] all = ChunkedSampling.run(() -> ddim(4), 5, 2, 3, 7, zero, (done, total) -> progress.add(new long[] {done, total}));
    assertEquals(15, all.length);
    assertEquals(12, calls.size(), "three chunks of four steps");
    assertArrayEquals(new int[] {4, 1}, calls.get(11), "the last chunk holds the fifth sample");
    assertArrayEquals(new long[] {12, 12}, progress.get(progress.size() - 1));
    // The second chunk is what a loop seeded with seed * 1_000_003 + 1 gives.
    float[] second = SamplingLoop.run(ddim(4), 2 * 3, (x, t) -> new float[x.length], new java.util.SplittableRandom(7 * 1_000_003L + 1), null);
    assertArrayEquals(second, java.util.Arrays.copyOfRange(all, 6, 12));
    assertArrayEquals(all, ChunkedSampling.run(() -> ddim(4), 5, 2, 3, 7, zero, null), "the same seed, the same samples");
  }

  @Test
  void countAndBatchSizeMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> ChunkedSampling.run(() -> ddim(2), 0, 2, 3, 1, (x, t, f, n) -> x, null));
    assertThrows(IllegalArgumentException.class, () -> ChunkedSampling.run(() -> ddim(2), 2, 0, 3, 1, (x, t, f, n) -> x, null));
  }
}
