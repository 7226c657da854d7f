package dev.tessera.api.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Requests merged into one run get the samples each gets alone, under every built-in sampler. */
class MergedSamplingTest {
  static final NoiseSchedule SCHEDULE = NoiseSchedule.named("linear", 100);

  /** A denoiser whose output for a sample depends on that sample alone (and its condition row). */
  static ChunkedSampling.ChunkDenoiser perSample(float[] conditionPerSample, int values) {
    return (x, t, from, n) -> {
      float[] e = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        e[i] = (float) Math.tanh(0.5 * x[i] + 0.01 * t + conditionPerSample[from + i / values]);
      }
      return e;
    };
  }

  static Supplier<Scheduler> sampler(Supplier<Scheduler> make, int steps) {
    return () -> {
      Scheduler s = make.get();
      s.setTimesteps(steps);
      return s;
    };
  }

  @Test
  void eachRequestGetsWhatItGetsAloneUnderEverySampler() {
    List<Supplier<Scheduler>> samplers = List.of(() -> new DdimScheduler(SCHEDULE, 0), () -> new DdimScheduler(SCHEDULE, 1),
        () -> new DdpmScheduler(SCHEDULE), () -> new DpmSolverMultistepScheduler(SCHEDULE), () -> new EulerAncestralScheduler(SCHEDULE),
        () -> new HeunScheduler(SCHEDULE));
    int values = 3;
    int[] counts = {2, 5, 1};
    long[] seeds = {7, -3, 7};
    float[] conditions = {0.1f, -0.2f, 0.3f}; // one per request
    for (Supplier<Scheduler> make : samplers) {
      float[] merged = new float[8];
      for (int r = 0, at = 0; r < counts.length; r++) {
        for (int i = 0; i < counts[r]; i++) {
          merged[at++] = conditions[r];
        }
      }
      List<long[]> progress = new ArrayList<>();
      float[][] together = MergedSampling.run(sampler(make, 6), counts, seeds, 2, values, perSample(merged, values),
          (d, t) -> progress.add(new long[] {d, t}));
      for (int r = 0; r < counts.length; r++) {
        float[] alone = new float[counts[r]];
        java.util.Arrays.fill(alone, conditions[r]);
        float[] expected = ChunkedSampling.run(sampler(make, 6), counts[r], 2, values, seeds[r], perSample(alone, values), null);
        assertArrayEquals(expected, together[r], make.get().getClass().getSimpleName() + " request " + r);
      }
      long steps = sampler(make, 6).get().timesteps().length; // Heun: two model calls per step but the last
      assertArrayEquals(new long[] {steps, steps}, progress.get(progress.size() - 1));
      assertEquals(steps, progress.size());
    }
  }

  @Test
  void oneModelCallPerStepForAllRequests() {
    List<Integer> sizes = new ArrayList<>();
    MergedSampling.run(sampler(() -> new DdimScheduler(SCHEDULE, 0), 4), new int[] {3, 2}, new long[] {1, 2}, 2, 5, (x, t, from, n) -> {
      sizes.add(n);
      assertEquals(0, from);
      return new float[x.length];
    }, null);
    assertEquals(List.of(5, 5, 5, 5), sizes);
  }

  @Test
  void badArgumentsAreRefused() {
    Supplier<Scheduler> s = sampler(() -> new DdimScheduler(SCHEDULE, 0), 2);
    ChunkedSampling.ChunkDenoiser zero = (x, t, f, n) -> new float[x.length];
    assertThrows(IllegalArgumentException.class, () -> MergedSampling.run(s, new int[] {1}, new long[] {1, 2}, 2, 3, zero, null));
    assertThrows(IllegalArgumentException.class, () -> MergedSampling.run(s, new int[] {0}, new long[] {1}, 2, 3, zero, null));
    assertThrows(IllegalArgumentException.class, () -> MergedSampling.run(s, new int[] {1}, new long[] {1}, 0, 3, zero, null));
    assertThrows(IllegalArgumentException.class, () -> MergedSampling.run(s, new int[0], new long[0], 2, 3, zero, null));
  }
}
