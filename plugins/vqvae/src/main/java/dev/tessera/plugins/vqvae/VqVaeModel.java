package dev.tessera.plugins.vqvae;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ShippedWeightSets;
import dev.tessera.api.spi.Quantization;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.train.SquaredError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The trainable VQ-VAE: encoder -> vector quantizer -> decoder, with
 * loss = ||x - x'||^2 / Var(data) + codebook loss + beta * commitment loss.
 */
@Extension
public class VqVaeModel implements TrainableModel {
  /** Resource folder of the shipped Fashion-MNIST weights inside the plugin jar. */
  public static final String SHIPPED = "tessera/weights/vqvae/fashion-mnist";

  @Override
  public String name() {
    return "vqvae";
  }

  @Override
  public String description() {
    return "VQ-VAE (van den Oord et al. 2017): 28x28 images <-> 7x7 grid of 512 codes";
  }

  @Override
  public ModelConfig defaultConfig() {
    return VqVaeConfig.defaults();
  }

  /** Besides the default (Fashion-MNIST), "twemoji": Twemoji 32x32 RGB, 8x8 codes (docs/model-cards/vqvae.md). */
  @Override
  public ShippedWeightSets shippedWeightSets() {
    return new ShippedWeightSets(VqVaeModel.class, SHIPPED, Map.of("twemoji", "tessera/weights/vqvae/twemoji"));
  }

  @Override
  public long forwardFlopsPerExample(ModelConfig config) {
    VqVaeConfig c = VqVaeConfig.from(config);
    long positions = (long) c.gridSize() * c.gridSize();
    // Nearest-code distances (z e^T) and the EMA sums (onehot^T z) are two [M,D]x[D,K] products.
    long quantizer = 2 * 2 * positions * c.codebookSize() * c.embeddingDim();
    return VqVaeEncoder.flops(c) + VqVaeDecoder.flops(c) + quantizer;
  }

  /** The graph of one forward pass with everything training and evaluation need. */
  public record Forward(
      Operand<TFloat32> reconstruction, Operand<TFloat32> mse, Quantization quantization, Operand<TFloat32> counts, DeadCodeResetHandle deadCodes) {}

  /** Opaque handle so callers outside the package can pass the reset hook along (null hook: dead codes are not checked). */
  public record DeadCodeResetHandle(dev.tessera.api.train.StepHook hook) {}

  public static Forward forward(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    VqVaeConfig c = VqVaeConfig.from(config);
    Ops tf = scope.tf();
    GraphScope model = scope.child(config.getString("scope", "vqvae"));
    Operand<TFloat32> latents = new VqVaeEncoder().encodeImages(model.child("encoder"), config, images);
    GraphScope quantizerScope = model.child("quantizer");
    VectorQuantizer.Parts parts = new VectorQuantizer().build(quantizerScope, config, latents);
    Operand<TFloat32> reconstruction = new VqVaeDecoder().decode(model.child("decoder"), config, parts.quantization().quantized());
    Operand<TFloat32> mse = SquaredError.mean(tf, reconstruction, images);
    DeadCodeReset reset = c.deadCodeCheckEvery() > 0 ? new DeadCodeReset(quantizerScope.path(), parts.flatLatents(), c) : null;
    return new Forward(reconstruction, mse, parts.quantization(), parts.counts(), new DeadCodeResetHandle(reset));
  }

  @Override
  public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    VqVaeConfig c = VqVaeConfig.from(config);
    Ops tf = scope.tf();
    Forward f = forward(scope, config, inputs.images());
    Quantization q = f.quantization();
    Operand<TFloat32> reconstructionLoss = tf.math.div(f.mse(), tf.constant((float) c.dataVariance()));
    Operand<TFloat32> loss =
        tf.math.add(tf.math.add(reconstructionLoss, q.codebookLoss()), tf.math.mul(tf.constant((float) c.beta()), q.commitmentLoss()));
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("mse", f.mse());
    metrics.put("perplexity", q.perplexity());
    metrics.put("commitment", q.commitmentLoss());
    // Codebook usage: how many codes this batch picked at least once.
    metrics.put("codes_used", tf.reduceSum(tf.dtypes.cast(tf.math.greater(f.counts(), tf.constant(0f)), TFloat32.class), tf.constant(0)));
    List<Op> updates = new ArrayList<>(q.trainingUpdates());
    String prefix = scope.qualify(config.getString("scope", "vqvae"));
    return new TrainingGraph(loss, metrics, scope.variables().trainable(prefix), updates, f.deadCodes().hook())
        .withBatchUpdates(q.batchUpdates());
  }
}
