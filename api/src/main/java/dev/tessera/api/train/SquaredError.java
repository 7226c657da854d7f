package dev.tessera.api.train;

import org.tensorflow.Operand;
import org.tensorflow.framework.losses.MeanSquaredError;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The mean squared error of two tensors of one shape, over every element: the loss of
 * epsilon-predicting diffusion, of autoencoder reconstructions and of VQ's codebook and commitment
 * terms. TensorFlow Java framework's {@link MeanSquaredError} (mean over the last axis, then over
 * the rest: the same number).
 */
public final class SquaredError {
  private static final MeanSquaredError MSE = new MeanSquaredError();

  private SquaredError() {}

  /** mean((predicted - target)^2) over every element. */
  public static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> predicted, Operand<TFloat32> target) {
    return MSE.call(tf, target, predicted);
  }
}
