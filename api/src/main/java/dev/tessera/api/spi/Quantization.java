package dev.tessera.api.spi;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What a {@link Quantizer} builds.
 *
 * @param quantized the quantized latents, passing gradients straight through to the input
 * @param codes code indices, shape of the latents without the last axis
 * @param codebookLoss moves codes toward encoder outputs (zero when the codebook is an EMA)
 * @param commitmentLoss keeps encoder outputs near their codes (not yet scaled by beta)
 * @param perplexity exp(entropy) of the batch's code usage: how many codes are in effective use
 * @param trainingUpdates ops to run with each training step that read the batch in ways a cluster cannot split
 * @param batchUpdates state updated from sums over the batch (the EMA codebook), which a cluster can split
 *     ({@link dev.tessera.api.train.BatchUpdate})
 */
public record Quantization(
    Operand<TFloat32> quantized,
    Operand<TInt32> codes,
    Operand<TFloat32> codebookLoss,
    Operand<TFloat32> commitmentLoss,
    Operand<TFloat32> perplexity,
    List<Op> trainingUpdates,
    List<dev.tessera.api.train.BatchUpdate> batchUpdates) {

  public Quantization {
    trainingUpdates = List.copyOf(trainingUpdates);
    batchUpdates = List.copyOf(batchUpdates);
  }

  public Quantization(Operand<TFloat32> quantized, Operand<TInt32> codes, Operand<TFloat32> codebookLoss, Operand<TFloat32> commitmentLoss,
      Operand<TFloat32> perplexity, List<Op> trainingUpdates) {
    this(quantized, codes, codebookLoss, commitmentLoss, perplexity, trainingUpdates, List.of());
  }
}
