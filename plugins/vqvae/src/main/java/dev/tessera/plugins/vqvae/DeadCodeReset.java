package dev.tessera.plugins.vqvae;

import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.TensorData;
import dev.tessera.api.train.StepHook;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * Re-initialises codes that fell out of use with encoder outputs of the current batch (as in
 * Jukebox, Dhariwal et al. 2020), so the whole codebook stays in play: a code is dead when its
 * EMA usage per batch falls under a threshold.
 */
final class DeadCodeReset implements StepHook {
  private final String prefix;
  private final Operand<TFloat32> flatLatents;
  private final VqVaeConfig config;
  private long resetTotal;

  /** @param prefix dotted path of the quantizer's variables */
  DeadCodeReset(String prefix, Operand<TFloat32> flatLatents, VqVaeConfig config) {
    this.prefix = prefix;
    this.flatLatents = flatLatents;
    this.config = config;
  }

  long resetTotal() {
    return resetTotal;
  }

  /** The encoder outputs [rows, D] replacement codes are drawn from: on a cluster, every replica's. */
  @Override
  public Map<String, Operand<TFloat32>> rows() {
    return Map.of(LATENTS, flatLatents);
  }

  private static final String LATENTS = "flat_latents";

  @Override
  public void afterStep(Context ctx) {
    if (config.deadCodeCheckEvery() <= 0 || ctx.step() % config.deadCodeCheckEvery() != 0) {
      return;
    }
    VariableStore vars = ctx.variables();
    String usageName = prefix + "." + VectorQuantizer.USAGE;
    float[] usage = vars.read(ctx.session(), usageName);
    int k = config.codebookSize();
    int d = config.embeddingDim();
    int dead = 0;
    for (float u : usage) {
      if (u < config.deadCodeThreshold()) {
        dead++;
      }
    }
    if (dead == 0) {
      return;
    }
    float[] latents;
    try (Result r = ctx.runner().get().fetch(ctx.rows().getOrDefault(LATENTS, flatLatents)).run()) {
      latents = Tensors.toFloats(r.get(0));
    }
    int rows = latents.length / d;
    String codebookName = prefix + "." + VectorQuantizer.CODEBOOK;
    float[] codebook = vars.read(ctx.session(), codebookName);
    float[] size = config.ema() ? vars.read(ctx.session(), prefix + "." + VectorQuantizer.CLUSTER_SIZE) : null;
    float[] sum = config.ema() ? vars.read(ctx.session(), prefix + "." + VectorQuantizer.EMA_SUM) : null;
    for (int code = 0; code < k; code++) {
      if (usage[code] >= config.deadCodeThreshold()) {
        continue;
      }
      int row = ctx.random().nextInt(rows);
      System.arraycopy(latents, row * d, codebook, code * d, d);
      if (size != null) {
        size[code] = 1f;
        System.arraycopy(latents, row * d, sum, code * d, d);
      }
      usage[code] = 1f; // a grace period before it can be judged dead again
    }
    Map<String, TensorData> values = new LinkedHashMap<>();
    values.put(codebookName, TensorData.ofFloats(new long[] {k, d}, codebook));
    values.put(usageName, TensorData.ofFloats(new long[] {k}, usage));
    if (size != null) {
      values.put(prefix + "." + VectorQuantizer.CLUSTER_SIZE, TensorData.ofFloats(new long[] {k}, size));
      values.put(prefix + "." + VectorQuantizer.EMA_SUM, TensorData.ofFloats(new long[] {k, d}, sum));
    }
    vars.assignAll(ctx.session(), values);
    resetTotal += dead;
  }
}
