package dev.tessera.api.train;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The placeholders the trainer feeds each step.
 *
 * @param images [N, H, W, C] in [0, 1]
 * @param labels [N] class ids (-1 when the data set has none)
 * @param tokens [N, L] token ids of one caption per image, padded, when the model reads text
 *     ({@link dev.tessera.api.spi.TrainableModel#textLength} > 0); null otherwise
 */
public record TrainingInputs(Operand<TFloat32> images, Operand<TInt32> labels, Operand<TInt32> tokens) {
  public TrainingInputs(Operand<TFloat32> images, Operand<TInt32> labels) {
    this(images, labels, null);
  }
}
