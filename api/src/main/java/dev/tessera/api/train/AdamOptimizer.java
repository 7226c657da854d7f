package dev.tessera.api.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.VariableStore;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Adam (Kingma and Ba 2015) over an explicit list of variables, with TensorFlow's fused
 * ApplyAdam kernel. Its moments and step count are {@link VariableStore.Kind#TRAINING_STATE}
 * variables named {@code <variable>.adam_m}, {@code .adam_v} and {@code <name>.step}, so a
 * checkpoint holds the whole optimizer state and resuming continues exactly.
 *
 * <p>Only the variables passed in are updated (tensorflow-framework's {@code minimize} updates
 * every trainable variable of the graph, which is wrong when one graph holds two networks).
 */
public final class AdamOptimizer {

  /** Hyper-parameters; {@code clipNorm <= 0} disables global-norm gradient clipping. */
  public record Config(double learningRate, double beta1, double beta2, double epsilon, double clipNorm) {
    public static Config defaults(double learningRate) {
      return new Config(learningRate, 0.9, 0.999, 1e-8, 0);
    }
  }

  private final Op update;
  private final PlaceholderWithDefault<TFloat32> learningRate;
  private final Operand<TFloat32> gradientNorm;
  private final Variable<TFloat32> step;

  /**
   * Builds the update for {@code variables} minimising {@code loss}.
   *
   * @param scope where the optimizer's own variables go (for example the root scope and name "optimizer")
   */
  public AdamOptimizer(GraphScope scope, String name, Operand<TFloat32> loss, List<VariableStore.Entry> variables, Config config) {
    this(scope, name, Gradients.of(scope.graph(), loss, checkNotEmpty(variables)), variables, config);
  }

  /**
   * Builds the update for {@code variables} from gradients computed elsewhere, one per variable in
   * the same order (for example the average of several replicas' gradients).
   */
  public AdamOptimizer(GraphScope scope, String name, List<Output<TFloat32>> gradients, List<VariableStore.Entry> variables, Config config) {
    this(scope, name, gradients, variables, config, null);
  }

  /**
   * The same, with its learning rate read from {@code sharedRate} (another optimizer's: one fed value for
   * several), or its own where null.
   */
  public AdamOptimizer(GraphScope scope, String name, List<Output<TFloat32>> gradients, List<VariableStore.Entry> variables, Config config,
      PlaceholderWithDefault<TFloat32> sharedRate) {
    checkNotEmpty(variables);
    if (gradients.size() != variables.size()) {
      throw new IllegalArgumentException(gradients.size() + " gradients for " + variables.size() + " variables");
    }
    Ops tf = scope.tf();
    List<Output<TFloat32>> grads = gradients;

    this.gradientNorm = Gradients.globalNorm(tf, grads);
    if (config.clipNorm() > 0) {
      // Scale all gradients by min(1, clip / norm): clipping by global norm keeps their direction.
      Operand<TFloat32> scale =
          tf.math.minimum(tf.constant(1f), tf.math.div(tf.constant((float) config.clipNorm()), tf.math.add(gradientNorm, tf.constant(1e-6f))));
      List<Output<TFloat32>> clipped = new ArrayList<>();
      for (Output<TFloat32> g : grads) {
        clipped.add(tf.math.mul(g, scale).asOutput());
      }
      grads = clipped;
    }

    this.learningRate = sharedRate != null ? sharedRate : tf.placeholderWithDefault(tf.constant((float) config.learningRate()), Shape.scalar());
    this.step = scope.trainingState(name + ".step", new long[0], Initializers.zeros());
    Operand<TFloat32> t = tf.assignAdd(step, tf.constant(1f));
    Operand<TFloat32> beta1 = tf.constant((float) config.beta1());
    Operand<TFloat32> beta2 = tf.constant((float) config.beta2());
    Operand<TFloat32> beta1Power = tf.math.pow(beta1, t);
    Operand<TFloat32> beta2Power = tf.math.pow(beta2, t);
    Operand<TFloat32> eps = tf.constant((float) config.epsilon());

    // Variables are references: an update that ran before another variable's gradient was
    // computed would change that gradient. Every update waits for every gradient, which makes a
    // step deterministic (and equal to the textbook algorithm).
    List<Op> allGradients = new ArrayList<>(grads);
    Ops afterGradients = tf.withControlDependencies(allGradients);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      VariableStore.Entry e = variables.get(i);
      Variable<TFloat32> m = scope.variables().variable(e.name() + ".adam_m", e.shape(), Initializers.zeros(), VariableStore.Kind.TRAINING_STATE);
      Variable<TFloat32> v = scope.variables().variable(e.name() + ".adam_v", e.shape(), Initializers.zeros(), VariableStore.Kind.TRAINING_STATE);
      updates.add(afterGradients.train.applyAdam(e.variable(), m, v, beta1Power, beta2Power, learningRate, beta1, beta2, eps, grads.get(i)));
    }
    this.update = tf.withControlDependencies(updates).noOp();
  }

  private AdamOptimizer(Op update, PlaceholderWithDefault<TFloat32> learningRate, Operand<TFloat32> gradientNorm, Variable<TFloat32> step) {
    this.update = update;
    this.learningRate = learningRate;
    this.gradientNorm = gradientNorm;
    this.step = step;
  }

  /**
   * Optimizers that share the first one's learning rate ({@link #AdamOptimizer(GraphScope, String, List, List, Config,
   * PlaceholderWithDefault)}) as one: its update runs them all; its gradient norm and step are the first one's (the
   * copies of one model on several tasks, updated alike).
   */
  public static AdamOptimizer together(Ops tf, List<AdamOptimizer> optimizers) {
    AdamOptimizer first = optimizers.get(0);
    for (AdamOptimizer o : optimizers) {
      if (o.learningRate != first.learningRate) {
        throw new IllegalArgumentException("optimizers run together must share one learning rate");
      }
    }
    List<Op> updates = new ArrayList<>();
    optimizers.forEach(o -> updates.add(o.update));
    return new AdamOptimizer(tf.withControlDependencies(updates).noOp(), first.learningRate, first.gradientNorm, first.step);
  }

  private static List<VariableStore.Entry> checkNotEmpty(List<VariableStore.Entry> variables) {
    if (variables.isEmpty()) {
      throw new IllegalArgumentException("no variables to train");
    }
    return variables;
  }

  /** Run this target once per training step. */
  public Op update() {
    return update;
  }

  /** Feed a value here to change the learning rate for one step (schedules, warm-up). */
  public PlaceholderWithDefault<TFloat32> learningRate() {
    return learningRate;
  }

  /** Global L2 norm of the gradients before clipping: fetch it to log training health. */
  public Operand<TFloat32> gradientNorm() {
    return gradientNorm;
  }

  public Variable<TFloat32> step() {
    return step;
  }
}
