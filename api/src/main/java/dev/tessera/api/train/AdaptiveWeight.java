package dev.tessera.api.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.VariableStore;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The adaptive weight of the adversarial loss in "Taming Transformers" (Esser et al. 2021, eq. 7):
 * lambda = ||grad_w L_rec|| / (||grad_w L_gan|| + 1e-4), clamped to [0, 1e4], with w the last
 * layer of the decoder, so the GAN term's pull on the output is scaled to the reconstruction
 * term's. It is a constant to the optimizer (no gradient flows through it).
 */
public final class AdaptiveWeight {
  public static final float DELTA = 1e-4f;
  public static final float MAX = 1e4f;

  private AdaptiveWeight() {}

  public static Operand<TFloat32> of(GraphScope scope, Operand<TFloat32> reconstructionLoss, Operand<TFloat32> ganLoss, VariableStore.Entry lastLayer) {
    Ops tf = scope.tf();
    Operand<TFloat32> rec = Gradients.globalNorm(tf, Gradients.of(scope.graph(), reconstructionLoss, List.of(lastLayer)));
    Operand<TFloat32> gan = Gradients.globalNorm(tf, Gradients.of(scope.graph(), ganLoss, List.of(lastLayer)));
    Operand<TFloat32> weight = tf.math.div(rec, tf.math.add(gan, tf.constant(DELTA)));
    return tf.stopGradient(tf.clipByValue(weight, tf.constant(0f), tf.constant(MAX)));
  }
}
