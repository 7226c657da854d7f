package dev.tessera.api.sampling;

import dev.tessera.api.pipeline.GenerationPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * {@link ChunkedSampling} for several requests in one run (a server's dynamic batching): every
 * chunk of every request, as ChunkedSampling would draw it for that request alone (at most
 * {@code batchSize} samples, the random stream {@code seed * 1_000_003 + chunk}, a fresh
 * scheduler), is a lane; the lanes step together, their samples concatenated into one model call
 * per step. With a model whose output for a sample does not depend on the other samples of its
 * batch, each request gets the samples it gets alone.
 */
public final class MergedSampling {
  private MergedSampling() {}

  private record Lane(int request, int offset, int n, Scheduler scheduler, SplittableRandom random) {}

  /** The same for a pipeline's requests: their counts and seeds (counts checked as generate checks them). */
  public static float[][] run(Supplier<Scheduler> schedulers, List<GenerationPipeline.Request> requests, int batchSize, int valuesPerSample,
      ChunkedSampling.ChunkDenoiser model, GenerationPipeline.Progress progress) {
    GenerationPipeline.Request.total(requests);
    return run(schedulers, requests.stream().mapToInt(GenerationPipeline.Request::count).toArray(),
        requests.stream().mapToLong(GenerationPipeline.Request::seed).toArray(), batchSize, valuesPerSample, model, progress);
  }

  /**
   * @param counts samples per request
   * @param seeds each request's seed
   * @param model called with all lanes' samples, request after request; {@code from .. from + n - 1}
   *     index that merged order (0 and the total here)
   * @return each request's count x valuesPerSample values
   */
  public static float[][] run(Supplier<Scheduler> schedulers, int[] counts, long[] seeds, int batchSize, int valuesPerSample,
      ChunkedSampling.ChunkDenoiser model, GenerationPipeline.Progress progress) {
    if (counts.length != seeds.length || counts.length == 0) {
      throw new IllegalArgumentException("one seed per request, at least one request");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    List<Lane> lanes = new ArrayList<>();
    int total = 0;
    for (int r = 0; r < counts.length; r++) {
      if (counts[r] < 1) {
        throw new IllegalArgumentException("count must be positive, got " + counts[r]);
      }
      for (int from = 0, chunk = 0; from < counts[r]; from += batchSize, chunk++) {
        int n = Math.min(batchSize, counts[r] - from);
        lanes.add(new Lane(r, from, n, schedulers.get(), new SplittableRandom(seeds[r] * 1_000_003L + chunk)));
        total += n;
      }
    }
    // As SamplingLoop: the starting noise, scaled.
    float[][] samples = new float[lanes.size()][];
    for (int l = 0; l < lanes.size(); l++) {
      Lane lane = lanes.get(l);
      samples[l] = Scheduler.gaussian(lane.n() * valuesPerSample, lane.random());
      double init = lane.scheduler().initNoiseSigma();
      if (init != 1) {
        for (int i = 0; i < samples[l].length; i++) {
          samples[l][i] = (float) (samples[l][i] * init);
        }
      }
    }
    int[] timesteps = lanes.get(0).scheduler().timesteps();
    float[] merged = new float[total * valuesPerSample];
    for (int i = 0; i < timesteps.length; i++) {
      int t = timesteps[i];
      int at = 0;
      for (int l = 0; l < lanes.size(); l++) {
        float[] in = lanes.get(l).scheduler().scaleModelInput(samples[l], t);
        System.arraycopy(in, 0, merged, at, in.length);
        at += in.length;
      }
      float[] epsilon = model.epsilon(merged, t, 0, total);
      at = 0;
      for (int l = 0; l < lanes.size(); l++) {
        Lane lane = lanes.get(l);
        float[] e = java.util.Arrays.copyOfRange(epsilon, at, at + samples[l].length);
        at += samples[l].length;
        samples[l] = lane.scheduler().step(e, t, samples[l], lane.random());
      }
      if (progress != null) {
        progress.update(i + 1, timesteps.length);
      }
    }
    float[][] out = new float[counts.length][];
    for (int r = 0; r < counts.length; r++) {
      out[r] = new float[counts[r] * valuesPerSample];
    }
    for (int l = 0; l < lanes.size(); l++) {
      Lane lane = lanes.get(l);
      System.arraycopy(samples[l], 0, out[lane.request()], lane.offset() * valuesPerSample, samples[l].length);
    }
    return out;
  }
}
