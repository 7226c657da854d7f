package dev.tessera.plugins.vqvae;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Quantization;
import dev.tessera.api.spi.Quantizer;
import dev.tessera.api.train.SquaredError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Vector quantisation of "Neural Discrete Representation Learning" (van den Oord et al. 2017):
 * each latent vector is replaced by its nearest code (squared distance); gradients pass
 * straight through to the encoder (z + stopGradient(zq - z)); the loss has a codebook term
 * ||zq - sg(z)||^2 and a commitment term ||z - sg(zq)||^2 (scaled by beta by the model).
 *
 * <p>With {@code ema} (the default) the codebook is not trained by gradients but is an
 * exponential moving average of the encoder outputs assigned to each code (appendix A.1 of the
 * paper; Razavi et al. 2019): cluster sizes N_k and sums m_k decay by gamma, e_k = m_k / N_k with
 * Laplace smoothing. Codes that fall out of use are re-initialised from encoder outputs by
 * {@link DeadCodeReset}.
 */
@Extension
public class VectorQuantizer implements Quantizer {
  static final String CODEBOOK = "codebook";
  static final String CLUSTER_SIZE = "ema_cluster_size";
  static final String EMA_SUM = "ema_sum";
  static final String USAGE = "usage";

  @Override
  public String name() {
    return "vector-quantizer";
  }

  @Override
  public String description() {
    return "nearest-code vector quantizer with straight-through gradients, commitment loss, optional EMA codebook";
  }

  @Override
  public int codebookSize(ModelConfig config) {
    return VqVaeConfig.from(config).codebookSize();
  }

  /** Everything the quantizer builds, including what the VQ-VAE trainer needs beyond the SPI. */
  record Parts(Quantization quantization, Operand<TFloat32> flatLatents, Operand<TFloat32> counts) {}

  @Override
  public Quantization quantize(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
    return build(scope, config, latents).quantization();
  }

  @Override
  public Operand<TFloat32> embed(GraphScope scope, ModelConfig config, Operand<TInt32> codes) {
    VqVaeConfig c = VqVaeConfig.from(config);
    Ops tf = scope.tf();
    return tf.gather(scope.read(codebook(scope, c)), codes, tf.constant(0));
  }

  private static Variable<TFloat32> codebook(GraphScope scope, VqVaeConfig c) {
    long[] shape = {c.codebookSize(), c.embeddingDim()};
    return c.ema()
        ? scope.buffer(CODEBOOK, shape, Initializers.normal(1.0))
        : scope.parameter(CODEBOOK, shape, Initializers.normal(1.0));
  }

  Parts build(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
    VqVaeConfig c = VqVaeConfig.from(config);
    InputShapes.requireLastAxis(latents, c.embeddingDim(), "vector-quantizer latents (embedding_dim)");
    Ops tf = scope.tf();
    int k = c.codebookSize();
    int d = c.embeddingDim();
    Variable<TFloat32> codebook = codebook(scope, c);
    Operand<TFloat32> entries = scope.read(codebook); // what the lookup reads (the EMA below writes the variable)

    Operand<TFloat32> flat = tf.reshape(latents, tf.constant(new long[] {-1, d}));
    // ||z - e||^2 = ||z||^2 - 2 z.e + ||e||^2, [M, K]
    Operand<TFloat32> distances =
        tf.math.add(
            tf.math.sub(
                tf.reduceSum(tf.math.square(flat), tf.constant(1), ReduceSum.keepDims(true)),
                tf.math.mul(tf.constant(2f), tf.linalg.matMul(flat, entries, org.tensorflow.op.linalg.MatMul.transposeB(true)))),
            tf.reduceSum(tf.math.square(entries), tf.constant(1)));
    Operand<TInt32> flatCodes = tf.math.argMin(distances, tf.constant(1), TInt32.class);
    Operand<TFloat32> quantizedFlat = tf.gather(entries, flatCodes, tf.constant(0));
    Operand<TInt32> latentShape = tf.shape(latents);
    Operand<TFloat32> quantized = tf.reshape(quantizedFlat, latentShape);
    int rank = latents.shape().numDimensions();
    Operand<TInt32> codeShape = tf.slice(latentShape, tf.constant(new int[] {0}), tf.constant(new int[] {rank - 1}));
    Operand<TInt32> codes = tf.reshape(flatCodes, codeShape);

    Operand<TFloat32> commitment = SquaredError.mean(tf, latents, tf.stopGradient(quantized));
    Operand<TFloat32> codebookLoss = c.ema()
        ? tf.constant(0f)
        : SquaredError.mean(tf, quantized, tf.stopGradient(latents));
    Operand<TFloat32> straightThrough = tf.math.add(latents, tf.stopGradient(tf.math.sub(quantized, latents)));

    Operand<TFloat32> oneHot = tf.oneHot(flatCodes, tf.constant(k), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> counts = tf.reduceSum(oneHot, tf.constant(0));
    Operand<TFloat32> avgProbs = tf.math.mean(oneHot, tf.constant(0));
    Operand<TFloat32> perplexity =
        tf.math.exp(tf.math.neg(tf.reduceSum(tf.math.mul(avgProbs, tf.math.log(tf.math.add(avgProbs, tf.constant(1e-10f)))), tf.constant(0))));

    // The per-step state (code usage for dead-code checks, the EMA codebook) is updated from sums over the batch:
    // the trainer builds the update once, after every lookup has read the codebook, from the whole batch's sums
    // (on a cluster, the sum of every replica's), so data-parallel training updates it as one process does.
    List<dev.tessera.api.train.BatchUpdate> batchUpdates = new ArrayList<>();
    if (c.deadCodeCheckEvery() > 0 || c.ema()) {
      Map<String, Operand<TFloat32>> sums = new java.util.LinkedHashMap<>();
      sums.put("counts", counts);
      Variable<TFloat32> usage = c.deadCodeCheckEvery() > 0 ? scope.trainingState(USAGE, new long[] {k}, Initializers.zeros()) : null;
      Variable<TFloat32> clusterSize = null;
      Variable<TFloat32> emaSum = null;
      if (c.ema()) {
        clusterSize = scope.buffer(CLUSTER_SIZE, new long[] {k}, Initializers.ones());
        emaSum = scope.buffer(EMA_SUM, new long[] {k, d}, Initializers.copyOf(scope.qualify(CODEBOOK)));
        sums.put("code_sums", tf.linalg.matMul(oneHot, flat, org.tensorflow.op.linalg.MatMul.transposeA(true)));
      }
      Variable<TFloat32> size = clusterSize;
      Variable<TFloat32> sum = emaSum;
      float decay = (float) c.emaDecay();
      batchUpdates.add(new dev.tessera.api.train.BatchUpdate(sums, List.<Op>of(quantizedFlat, distances), (after, total) -> {
        List<Op> ops = new ArrayList<>();
        if (usage != null) {
          // Usage statistics for dead-code detection: an EMA of how often each code is picked per batch.
          ops.add(after.assign(usage, after.math.add(after.math.mul(usage, after.constant(0.99f)),
              after.math.mul(total.get("counts"), after.constant(0.01f)))));
        }
        if (size != null) {
          // The codebook is written only after this step's lookups have read it.
          Operand<TFloat32> newSize = after.assign(size, ema(after, size, total.get("counts"), decay));
          Operand<TFloat32> newSum = after.assign(sum, ema(after, sum, total.get("code_sums"), decay));
          Operand<TFloat32> n = after.reduceSum(newSize, after.constant(0));
          float eps = 1e-5f;
          Operand<TFloat32> smoothed =
              after.math.mul(after.math.div(after.math.add(newSize, after.constant(eps)), after.math.add(n, after.constant(k * eps))), n);
          ops.add(after.assign(codebook, after.math.div(newSum, after.expandDims(smoothed, after.constant(1)))));
        }
        return ops;
      }));
    }
    Quantization q = new Quantization(straightThrough, codes, codebookLoss, commitment, perplexity, List.of(), batchUpdates);
    return new Parts(q, flat, counts);
  }

  private static Operand<TFloat32> ema(Ops tf, Operand<TFloat32> old, Operand<TFloat32> value, float decay) {
    return tf.math.add(tf.math.mul(old, tf.constant(decay)), tf.math.mul(value, tf.constant(1 - decay)));
  }
}
