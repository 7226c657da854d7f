package dev.tessera.plugins.clipgan;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.TextConditionedModel;
import dev.tessera.api.train.ClipLoss;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.train.HingeLoss;
import dev.tessera.api.train.StepRandom;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.WholeBatchLoss;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.train.WeightAverage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * CLIP+GAN ({@code ./tessera train clip-gan}): a generator G(z, c) conditioned on the frozen CLIP
 * text embedding c of the caption, and a projection discriminator D(x, c), trained on captioned
 * images with the hinge loss:
 * <pre>
 * L_G = -mean D(G(z, c), c) + w_clip mean(1 - cos(CLIP_image(G(z, c)), c))
 * L_D = mean relu(1 - D(x, c)) + mean relu(1 + D(G(z, c), c)) + w_mis mean relu(1 + D(x, c'))
 * </pre>
 * with c' the caption of another image of the batch (a matching-aware discriminator). G is the
 * main loss over G's variables; D is a {@link TrainingGraph.Phase} over D's own, with its own
 * Adam, so neither optimizer touches the other network. An exponential moving average of G's
 * weights ({@link WeightAverage}, under {@code gan.generator_ema}) is what the pipeline samples.
 */
@Extension
public class ClipGanModel implements TextConditionedModel {
  public static final String SHIPPED = "tessera/weights/clip-gan/fashion-mnist";
  private static final dev.tessera.api.io.ShippedWeightSets SETS =
      new dev.tessera.api.io.ShippedWeightSets(ClipGanModel.class, SHIPPED, java.util.Map.of("wordnet", "tessera/weights/clip-gan/wordnet"));

  @Override
  public String name() {
    return "clip-gan";
  }

  @Override
  public String description() {
    return "text-conditional GAN: projection discriminator, hinge + CLIP loss, EMA generator";
  }

  @Override
  public ModelConfig defaultConfig() {
    return ClipGanConfig.defaults();
  }

  /**
   * Besides the default, "wordnet": trained on WordNet captions with image attributes and conditioned
   * on clip:wordnet, so it follows "dark", "patterned", "small" and more garment words
   * (docs/model-cards/clip-gan.md).
   */
  @Override
  public dev.tessera.api.io.ShippedWeightSets shippedWeightSets() {
    return SETS;
  }

  @Override
  public TrainingGraph buildTraining(TrainingContext context) {
    ModelConfig config = context.config();
    ClipGanConfig c = ClipGanConfig.from(config);
    TrainingInputs in = context.inputs();
    String prefix = config.getString("scope", "gan");
    GraphScope model = context.scope().child(prefix);
    Ops tf = model.tf();
    ModelConfig encoderConfig = FrozenEncoder.section(config);
    Encoder encoder = FrozenEncoder.encoder(encoderConfig, context.components());
    Operand<TFloat32> condition = tf.stopGradient(FrozenEncoder.text(context.scope(), encoderConfig, encoder, in.tokens()));
    Operand<TFloat32> x = in.images();

    StepRandom random = in.random(tf);
    Operand<TFloat32> z = random.normal(tf.concat(List.of(random.batchShape(x), tf.constant(new int[] {c.latentDim()})), tf.constant(0)), 0);
    Operand<TFloat32> fake = ConditionalGenerator.apply(model.child("generator"), c, tf.concat(List.of(z, condition), tf.constant(1)));

    ProjectionDiscriminator d = new ProjectionDiscriminator(model.child("discriminator"), c);
    Operand<TFloat32> adversarial = HingeLoss.generator(tf, d.logits(fake, condition));
    Operand<TFloat32> clip = ClipLoss.of(tf, FrozenEncoder.images(context.scope(), encoderConfig, encoder, fake), condition);
    Operand<TFloat32> loss = tf.math.add(adversarial, tf.math.mul(tf.constant((float) c.clipWeight()), clip));
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("g_adv", adversarial);
    metrics.put("clip", clip);

    Operand<TFloat32> realLogits = d.logits(x, condition);
    Operand<TFloat32> fakeLogits = d.logits(tf.stopGradient(fake), condition);
    Operand<TFloat32> hinge = HingeLoss.discriminator(tf, realLogits, fakeLogits);
    Map<String, Operand<TFloat32>> discMetrics = new LinkedHashMap<>();
    discMetrics.put("real", tf.math.mean(realLogits, tf.constant(new int[] {0, 1})));
    discMetrics.put("fake", tf.math.mean(fakeLogits, tf.constant(new int[] {0, 1})));
    var discriminator = model.variables().trainable(prefix + ".discriminator.");

    Operand<TFloat32> step = in.step(tf);
    var generator = model.variables().trainable(prefix + ".generator.");
    var average = WeightAverage.track(context.scope(), generator, prefix + ".generator.", prefix + "." + ClipGanConfig.AVERAGE_SCOPE + ".",
        c.emaDecay(), step);
    List<Parameters> pretrained = config.getString("text_model", "clip").isEmpty()
        ? List.of() : List.of(FrozenEncoder.weights(config, context.components()).parameters());
    // wrongCondition: each real image's mismatched text (null: no matching-aware term)
    java.util.function.Function<Operand<TFloat32>, TrainingGraph> assemble = wrongCondition -> {
      Operand<TFloat32> discLoss = hinge;
      if (wrongCondition != null) {
        Operand<TFloat32> wrong = HingeLoss.aboveMinusOne(tf, d.logits(x, wrongCondition));
        discLoss = tf.math.add(discLoss, tf.math.mul(tf.constant((float) c.mismatchWeight()), wrong));
      }
      TrainingGraph.Phase disc = new TrainingGraph.Phase("disc", discLoss, discriminator, c.discStart(), discMetrics);
      return new TrainingGraph(loss, metrics, generator, List.of(), null, pretrained, List.of(disc)).withAverages(average);
    };
    if (c.mismatchWeight() <= 0) {
      return assemble.apply(null);
    }
    // Each real image under the next example's text, across the whole batch: on a cluster, the next replica's first
    // example for a replica's last (WholeBatchLoss; the frozen text embeddings carry no gradient).
    return new WholeBatchLoss(model, Map.of("condition", condition), batch -> assemble.apply(batch.own(rolled(tf, batch.rows("condition")))))
        .alone();
  }

  /** Row i gets row i + 1's condition (the last gets the first's): each image under another image's caption. */
  static Operand<TFloat32> rolled(Ops tf, Operand<TFloat32> condition) {
    Operand<TFloat32> rest = tf.slice(condition, tf.constant(new int[] {1, 0}), tf.constant(new int[] {-1, -1}));
    Operand<TFloat32> first = tf.slice(condition, tf.constant(new int[] {0, 0}), tf.constant(new int[] {1, -1}));
    return tf.concat(List.of(rest, first), tf.constant(0));
  }
}
