package dev.tessera.plugins.diffusion;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.PixelRange;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ShippedWeightSets;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.layers.UNet;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.train.NoisedBatch;
import dev.tessera.api.train.StepRandom;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.train.SquaredError;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A CLIP-conditioned diffusion model trained on captioned images ({@code ./tessera train
 * clip-diffusion}): each step draws a timestep and noise per image, noises the image, and
 * regresses the U-Net's output on the noise (Ho et al. 2020, "simple" loss). The condition is the
 * frozen CLIP embedding of the caption (or of the image, for the DALL-E 2 decoder), replaced by
 * zeros for {@code condition_dropout} of the examples so that classifier-free guidance works.
 * The CLIP encoder comes from the CLIP plugin through the Encoder SPI, with its shipped weights.
 */
@Extension
public class DiffusionModel implements TrainableModel {
  public static final String SHIPPED = "tessera/weights/diffusion/fashion-mnist";

  @Override
  public String name() {
    return "clip-diffusion";
  }

  @Override
  public String description() {
    return "CLIP-conditioned epsilon-prediction U-Net (DDPM training, condition dropout for classifier-free guidance)";
  }

  @Override
  public ModelConfig defaultConfig() {
    return DiffusionConfig.defaults();
  }

  /** Copies the config of the conditioning encoder's shipped weights under "text_encoder". */
  @Override
  public ModelConfig resolveComponents(ModelConfig config, ComponentLookup components) {
    return config.getString("condition", "text").equals("none") ? config : FrozenEncoder.resolve(config, components);
  }

  @Override
  public String tokenizer(ModelConfig config) {
    return config.getString("condition", "text").equals("text") ? FrozenEncoder.tokenizer(config) : null;
  }

  @Override
  public int textLength(ModelConfig config) {
    return tokenizer(config) == null ? 0 : FrozenEncoder.textLength(config);
  }

  @Override
  public long forwardFlopsPerExample(ModelConfig config) {
    DiffusionConfig c = DiffusionConfig.from(config);
    return UNet.flops(c.unet(), c.imageSize());
  }

  @Override
  public TrainingGraph buildTraining(TrainingContext context) {
    ModelConfig config = context.config();
    DiffusionConfig c = DiffusionConfig.from(config);
    TrainingInputs in = context.inputs();
    GraphScope scope = context.scope().child(config.getString("scope", "diffusion"));
    Ops tf = scope.tf();
    Operand<TFloat32> x0 = PixelRange.toSigned(tf, in.images());
    StepRandom random = in.random(tf);
    NoisedBatch noised = NoisedBatch.draw(tf, random, c.schedule(), x0, 4);
    Operand<TInt32> n = noised.batch();
    Operand<TFloat32> condition = null;
    List<Parameters> pretrained = List.of();
    if (!c.condition().equals("none")) {
      Encoder encoder = FrozenEncoder.encoder(c.encoder(), context.components());
      condition = tf.stopGradient(c.condition().equals("image")
          ? FrozenEncoder.images(context.scope(), c.encoder(), encoder, in.images())
          : FrozenEncoder.text(context.scope(), c.encoder(), encoder, in.tokens()));
      Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(random.uniform(n, 2), tf.constant((float) c.conditionDropout())), TFloat32.class);
      condition = tf.math.mul(condition, tf.expandDims(keep, tf.constant(1)));
      if (!c.textModel().isEmpty()) {
        pretrained = List.of(FrozenEncoder.weights(config, context.components()).parameters());
      }
    }
    Operand<TFloat32> predicted = new DiffusionDecoder().denoise(scope, config, noised.noisy(), noised.timestepsAsFloats(tf), condition);
    Operand<TFloat32> loss = SquaredError.mean(tf, predicted, noised.noise());
    return new TrainingGraph(loss, Map.of(), scope.variables().trainable(scope.path() + ".unet."), List.of(), null, pretrained);
  }

  /**
   * Besides the default, "twemoji": trained on Twemoji 32x32 RGB, conditioned by clip:twemoji; and
   * "wordnet": trained on the WordNet and attribute captions, conditioned by clip:wordnet
   * (docs/model-cards/diffusion.md).
   */
  @Override
  public ShippedWeightSets shippedWeightSets() {
    return new ShippedWeightSets(DiffusionModel.class, shippedPrefix(), shippedVariants());
  }

  /** Where this model's shipped weights sit in the plugin jar. */
  protected String shippedPrefix() {
    return SHIPPED;
  }

  /** Its other weight sets in the jar, by variant name. */
  protected Map<String, String> shippedVariants() {
    return Map.of("twemoji", "tessera/weights/diffusion/twemoji", "wordnet", "tessera/weights/diffusion/wordnet");
  }
}
