package dev.tessera.api.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Element-wise activations, built from ops that have registered gradients in TF Java 1.1.0. */
public final class Activations {
  private Activations() {}

  public static Operand<TFloat32> relu(Ops tf, Operand<TFloat32> x) {
    return tf.nn.relu(x);
  }

  /** max(x, slope * x), which is leaky ReLU only for 0 <= slope < 1. */
  public static Operand<TFloat32> leakyRelu(Ops tf, Operand<TFloat32> x, float slope) {
    if (!(slope >= 0 && slope < 1)) {
      throw new IllegalArgumentException("leaky ReLU slope must be in [0, 1), got " + slope);
    }
    return tf.math.maximum(x, tf.math.mul(x, tf.constant(slope)));
  }

  /** SiLU / swish: x * sigmoid(x). */
  public static Operand<TFloat32> silu(Ops tf, Operand<TFloat32> x) {
    return tf.math.mul(x, tf.math.sigmoid(x));
  }

  /** Exact GELU, x * Phi(x), from erf: the fused Gelu op has no gradient in 1.1.0. */
  public static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> phi =
        tf.math.mul(
            tf.constant(0.5f),
            tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant((float) (1 / Math.sqrt(2)))))));
    return tf.math.mul(x, phi);
  }

  /** OpenAI CLIP's "QuickGELU": x * sigmoid(1.702 x), the activation its released weights expect. */
  public static Operand<TFloat32> quickGelu(Ops tf, Operand<TFloat32> x) {
    return tf.math.mul(x, tf.math.sigmoid(tf.math.mul(x, tf.constant(1.702f))));
  }

  public static Operand<TFloat32> sigmoid(Ops tf, Operand<TFloat32> x) {
    return tf.math.sigmoid(x);
  }

  public static Operand<TFloat32> tanh(Ops tf, Operand<TFloat32> x) {
    return tf.math.tanh(x);
  }

  /** Looks an activation up by its config name: relu, silu, gelu, tanh, sigmoid, identity. */
  public static Operand<TFloat32> byName(Ops tf, String name, Operand<TFloat32> x) {
    return switch (name) {
      case "relu" -> relu(tf, x);
      case "silu", "swish" -> silu(tf, x);
      case "gelu" -> gelu(tf, x);
      case "quick_gelu" -> quickGelu(tf, x);
      case "tanh" -> tanh(tf, x);
      case "sigmoid" -> sigmoid(tf, x);
      case "identity", "none" -> x;
      default -> throw new IllegalArgumentException(
          "unknown activation '" + name + "' (known: relu, silu, gelu, quick_gelu, tanh, sigmoid, identity)");
    };
  }
}
