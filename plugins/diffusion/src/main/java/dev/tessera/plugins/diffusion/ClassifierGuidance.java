package dev.tessera.plugins.diffusion;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.PixelRange;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.types.Condition;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Classifier guidance (Dhariwal and Nichol 2021): the score is log p(y | x_t, t) under the
 * {@link NoisyClassifier}, for the class y the prompt names (or the condition's class id). Its
 * gradient with respect to the noisy sample shifts the noise prediction:
 * eps' = eps - scale * sqrt(1 - abar_t) * d log p(y | x_t) / d x_t. Use it with the weights of the
 * model of the same name ({@code --score-guidance noisy-classifier}); it combines with
 * classifier-free guidance, which keeps its own scale.
 */
@Extension
public class ClassifierGuidance implements Guidance {
  public static final String NAME = "noisy-classifier";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "classifier guidance: log p(class named in the prompt | x_t, t) under a classifier trained on noised images";
  }

  @Override
  public boolean scoresNoisySamples() {
    return true;
  }

  @Override
  public Operand<TFloat32> noisyScore(GraphScope scope, ModelConfig config, Operand<TFloat32> noisy, Operand<TFloat32> timesteps,
      Condition condition) {
    NoisyClassifierConfig c = NoisyClassifierConfig.from(NoisyClassifierConfig.defaults().merge(config));
    int y = classOf(c, condition);
    Ops tf = scope.tf();
    Operand<TFloat32> logProbs = tf.nn.logSoftmax(NoisyClassifier.logits(scope, c, noisy, timesteps));
    return tf.reshape(tf.gather(logProbs, tf.constant(new int[] {y}), tf.constant(1)), tf.constant(new long[] {-1}));
  }

  /** Clean images in [0, 1] are x_0: scored at timestep 0. */
  @Override
  public Operand<TFloat32> score(GraphScope scope, ModelConfig config, Operand<TFloat32> images, Condition condition) {
    Ops tf = scope.tf();
    Operand<TFloat32> x0 = PixelRange.toSigned(tf, images);
    Operand<TFloat32> atZero = tf.zeros(tf.slice(tf.shape(x0), tf.constant(new int[] {0}), tf.constant(new int[] {1})), TFloat32.class);
    return noisyScore(scope, config, x0, atZero, condition);
  }

  @Override
  public float defaultScale() {
    return 1f;
  }

  private static int classOf(NoisyClassifierConfig c, Condition condition) {
    if (condition != null && condition.classId() != null) {
      int id = condition.classId();
      if (id < 0 || id >= c.classes()) {
        throw new TesseraException("classifier guidance: class id " + id + " is not in [0, " + c.classes() + ")");
      }
      return id;
    }
    if (condition == null || condition.prompt() == null) {
      throw new TesseraException("classifier guidance needs a prompt naming one of its classes, or a class id");
    }
    int y = c.classOf(condition.prompt());
    if (y < 0) {
      throw new TesseraException("classifier guidance: the prompt '" + condition.prompt() + "' names none of the classifier's classes ("
          + String.join(", ", c.classNames().stream().map(n -> n.get(0)).toList()) + ")");
    }
    return y;
  }
}
