package dev.tessera.plugins.clipvae;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.TextConditionedModel;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.train.StepRandom;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A conditional VAE trained on captioned images ({@code ./tessera train clip-vae}): the frozen CLIP
 * text embedding of the caption conditions both q(z | x, c) and p(x | z, c). Loss per image:
 * Bernoulli cross-entropy summed over pixels + beta * KL(q || N(0, I)), beta ramping from 0 to
 * {@code kl_weight} over {@code kl_anneal_steps} (the step comes from the trainer's step seed).
 */
@Extension
public class ClipVaeModel implements TextConditionedModel {
  public static final String SHIPPED = "tessera/weights/clip-vae/fashion-mnist";

  @Override
  public String name() {
    return "clip-vae";
  }

  @Override
  public String description() {
    return "conditional VAE, latent conditioned on a CLIP text embedding, KL annealing";
  }

  @Override
  public ModelConfig defaultConfig() {
    return ClipVaeConfig.defaults();
  }

  @Override
  public TrainingGraph buildTraining(TrainingContext context) {
    ModelConfig config = context.config();
    ClipVaeConfig c = ClipVaeConfig.from(config);
    TrainingInputs in = context.inputs();
    GraphScope scope = context.scope().child(config.getString("scope", "vae"));
    Ops tf = scope.tf();
    ModelConfig encoderConfig = FrozenEncoder.section(config);
    Encoder encoder = FrozenEncoder.encoder(encoderConfig, context.components());
    Operand<TFloat32> condition = tf.stopGradient(FrozenEncoder.text(context.scope(), encoderConfig, encoder, in.tokens()));

    ConditionalVaeEncoder.Posterior q = ConditionalVaeEncoder.apply(scope.child("encoder"), c, in.images(), condition);
    StepRandom random = in.random(tf);
    Operand<TFloat32> eps = random.normal(tf.shape(q.mean()), 0);
    Operand<TFloat32> z = tf.math.add(q.mean(), tf.math.mul(tf.math.exp(tf.math.mul(q.logVariance(), tf.constant(0.5f))), eps));
    Operand<TFloat32> logits = ClipVaeDecoder.logits(scope.child("decoder"), c, tf.concat(List.of(z, condition), tf.constant(1)));

    // Bernoulli cross-entropy from logits: max(l, 0) - l y + log(1 + exp(-|l|)), summed per image.
    Operand<TFloat32> y = in.images();
    Operand<TFloat32> bce = tf.math.add(tf.math.sub(tf.math.maximum(logits, tf.constant(0f)), tf.math.mul(logits, y)),
        tf.math.softplus(tf.math.neg(tf.math.abs(logits))));
    Operand<TFloat32> reconstruction = tf.math.mean(tf.reduceSum(bce, tf.constant(new int[] {1, 2, 3})), tf.constant(0));
    // KL(N(mu, s^2) || N(0, 1)) = 0.5 (mu^2 + s^2 - 1 - log s^2), summed over the latent.
    Operand<TFloat32> klTerms = tf.math.mul(tf.constant(0.5f), tf.math.sub(tf.math.add(tf.math.square(q.mean()), tf.math.exp(q.logVariance())),
        tf.math.add(tf.constant(1f), q.logVariance())));
    Operand<TFloat32> kl = tf.math.mean(tf.reduceSum(klTerms, tf.constant(1)), tf.constant(0));
    Operand<TFloat32> step = tf.dtypes.cast(tf.gather(in.requireRandomSeed(), tf.constant(1), tf.constant(0)), TFloat32.class);
    Operand<TFloat32> beta = c.klAnnealSteps() == 0 ? tf.constant((float) c.klWeight())
        : tf.math.mul(tf.constant((float) c.klWeight()), tf.math.minimum(tf.constant(1f), tf.math.div(step, tf.constant((float) c.klAnnealSteps()))));
    Operand<TFloat32> loss = tf.math.add(reconstruction, tf.math.mul(beta, kl));
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("reconstruction", reconstruction);
    metrics.put("kl", kl);
    metrics.put("beta", beta);
    List<dev.tessera.api.io.Parameters> pretrained = config.getString("text_model", "clip").isEmpty()
        ? List.of() : List.of(FrozenEncoder.weights(config, context.components()).parameters());
    return new TrainingGraph(loss, metrics, scope.variables().trainable(scope.path() + "."), List.of(), null, pretrained);
  }

  private static final dev.tessera.api.io.ShippedWeightSets SETS =
      new dev.tessera.api.io.ShippedWeightSets(ClipVaeModel.class, SHIPPED, java.util.Map.of("wordnet", "tessera/weights/clip-vae/wordnet"));

  /**
   * Besides the default, "wordnet": trained on WordNet captions with image attributes and conditioned
   * on clip:wordnet, so it follows "dark", "light", "small", "large" and more garment words
   * (docs/model-cards/clip-vae.md).
   */
  @Override
  public dev.tessera.api.io.ShippedWeightSets shippedWeightSets() {
    return SETS;
  }
}
