package dev.tessera.api.train;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.VariableStore;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * An exponential moving average of a network's weights (Polyak averaging; a GAN generator is
 * sampled from its average, as in ProGAN, BigGAN and StyleGAN). Each tracked variable
 * {@code from.X} gets a buffer {@code to.X}, starting as a copy of it, so building the same
 * network under scope {@code to} samples from the average; the update ops go into
 * {@link TrainingGraph#updates()}. The decay warms up as min(decay, (1 + t) / (10 + t)) with t the
 * step (TensorFlow's {@code ExponentialMovingAverage} with {@code num_updates}), so early
 * averages do not remember the random initialisation.
 */
public final class WeightAverage {
  private WeightAverage() {}

  /**
   * @param sources the variables to average, all named under {@code fromPrefix}
   * @param step the current training step, a float scalar
   */
  public static List<Op> track(GraphScope root, List<VariableStore.Entry> sources, String fromPrefix, String toPrefix, double decay,
      Operand<TFloat32> step) {
    if (decay < 0 || decay >= 1) {
      throw new TesseraException("an average's decay must be in [0, 1), got " + decay);
    }
    Ops tf = root.tf();
    Operand<TFloat32> d = tf.math.minimum(tf.constant((float) decay),
        tf.math.div(tf.math.add(tf.constant(1f), step), tf.math.add(tf.constant(10f), step)));
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f), d);
    List<Op> updates = new ArrayList<>();
    for (VariableStore.Entry e : sources) {
      if (!e.name().startsWith(fromPrefix)) {
        throw new TesseraException("'" + e.name() + "' is not under '" + fromPrefix + "'");
      }
      String name = toPrefix + e.name().substring(fromPrefix.length());
      Variable<TFloat32> average = root.variables().variable(name, e.shape(), Initializers.copyOf(e.name()), VariableStore.Kind.BUFFER);
      // average <- d average + (1 - d) value
      updates.add(tf.assign(average, tf.math.add(tf.math.mul(d, average), tf.math.mul(keep, e.variable()))));
    }
    return updates;
  }

  /**
   * For {@link TrainingGraph#withExported}: each tracked variable's name mapped to its average's,
   * so model.safetensors holds the average under the network's own names (one copy, loaded by the
   * same inference graph) while the checkpoint keeps both for {@code --resume}.
   */
  public static java.util.Map<String, String> exported(List<VariableStore.Entry> sources, String fromPrefix, String toPrefix) {
    java.util.Map<String, String> names = new java.util.LinkedHashMap<>();
    for (VariableStore.Entry e : sources) {
      if (!e.name().startsWith(fromPrefix)) {
        throw new TesseraException("'" + e.name() + "' is not under '" + fromPrefix + "'");
      }
      names.put(e.name(), toPrefix + e.name().substring(fromPrefix.length()));
    }
    return names;
  }
}
