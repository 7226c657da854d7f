package dev.tessera.runtime.bench;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.TracedRuns;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Embedding;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.api.graph.SessionFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * Autoregressive sampling of an untrained prior over codes (weights from a seed: the cost does not
 * depend on their values) with and without its key/value cache, in one run: the same config,
 * weights, condition and seed; ms per sample for each and their ratio, and whether both drew the
 * same codes (they must).
 */
public final class KvCacheBenchmark {
  /**
   * Median ms per sampling call (a batch), whether the codes matched, and the peak resident memory
   * of each way (KiB, VmHWM after a reset; -1 where unknown).
   */
  public record Result(int batch, int codes, int prefix, double cachedMs, double uncachedMs, boolean sameCodes, long cachedPeakKiB,
      long uncachedPeakKiB, long cachedGrowthKiB, long uncachedGrowthKiB) {
    public double ratio() {
      return uncachedMs / cachedMs;
    }
  }

  private KvCacheBenchmark() {}

  /** @param config the prior's config, nested configs resolved (see TrainableModel.resolveComponents) */
  public static Result run(Components components, ModelConfig config, int batch, int warmup, int iterations) {
    return run(components, config, batch, warmup, iterations, null);
  }

  /**
   * As {@link #run(Components, ModelConfig, int, int, int)}, and with a profile folder, one more
   * traced sampling call each way, written as gpt_decode_cache and gpt_decode_nocache.
   */
  public static Result run(Components components, ModelConfig config, int batch, int warmup, int iterations, java.nio.file.Path profileDir) {
    String prior = config.getString("prior", "gpt");
    Sampled cached = time(components.prior(prior), config.with("kv_cache", true), batch, warmup, iterations, profileDir, "gpt_decode_cache");
    Sampled uncached = time(components.prior(prior), config.with("kv_cache", false), batch, warmup, iterations, profileDir,
        "gpt_decode_nocache");
    int grid = cached.codes.length / batch;
    return new Result(batch, grid, config.getInt("prefix_length", 0), cached.ms, uncached.ms, Arrays.equals(cached.codes, uncached.codes),
        cached.peakKiB, uncached.peakKiB, cached.growthKiB, uncached.growthKiB);
  }

  private record Sampled(double ms, int[] codes, long peakKiB, long growthKiB) {}

  private static Sampled time(Prior prior, ModelConfig config, int batch, int warmup, int iterations, java.nio.file.Path profileDir,
      String name) {
    PeakMemory.Window memory = PeakMemory.start();
    try (Graph graph = new Graph()) {
      GraphScope root = GraphScope.root(graph);
      Prior.Sampler sampler = prior.build(root, config);
      try (Session session = SessionFactory.create(graph)) {
        root.variables().initialize(session, 1);
        int dim = dev.tessera.api.train.FrozenEncoder.section(config).getPositiveInt("embed_dim", 64);
        SplittableRandom random = new SplittableRandom(3);
        float[] e = new float[dim];
        for (int i = 0; i < dim; i++) {
          e[i] = (float) random.nextGaussian();
        }
        Condition condition = new Condition("benchmark", null, new Embedding(1, dim, e), null);
        Prior.SamplingOptions options = Prior.SamplingOptions.seeded(5);
        int[] codes = null;
        double[] ms = new double[iterations];
        for (int i = 0; i < warmup + iterations; i++) {
          long t0 = System.nanoTime();
          codes = sampler.sample(session, condition, batch, options).codes();
          if (i >= warmup) {
            ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
          }
        }
        Sampled result = new Sampled(Benchmarks.median(ms), codes, memory.peakKiB(), memory.growthKiB());
        if (profileDir != null) {
          OpProfile profile = new OpProfile(graph);
          TracedRuns.tracing(profile, () -> sampler.sample(session, condition, batch, options));
          profile.write(profileDir, name);
        }
        return result;
      }
    }
  }
}
