package dev.tessera.plugins.latentdiffusion;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.layers.UNet;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.TextConditionedModel;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.train.NoisedBatch;
import dev.tessera.api.train.StepRandom;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.train.WeightAverage;
import dev.tessera.api.train.WholeBatchLoss;
import dev.tessera.api.train.SquaredError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Latent diffusion ({@code ./tessera train latent-diffusion}; Rombach et al. 2022): each step
 * encodes the batch's images with the frozen autoencoder (the VQGAN's continuous latents, before
 * quantisation), scales them to unit variance, noises them at a random timestep and regresses the
 * U-Net's output on the noise; the U-Net reads the caption through the frozen CLIP text tower,
 * its pooled embedding added to the time embedding and its per-token states by cross-attention.
 * Both are zeroed for {@code condition_dropout} of the examples, for classifier-free guidance.
 *
 * <p>With {@code ema_decay} above 0 an exponential average of the U-Net's weights is tracked and
 * exported in place of the last weights (DDPM and Stable Diffusion sample from such an average).
 *
 * <p>The scale is the latents' standard deviation as Stable Diffusion measures its VAE's: the first
 * batch's, then an exponential average over the batches ({@code <scope>.latent_std}, saved with
 * the weights), so sampling divides by the same number training settled on.
 */
@Extension
public class LatentDiffusionModel implements TextConditionedModel {
  /** The saved scale: the latents' standard deviation. */
  static final String LATENT_STD = "latent_std";
  private static final float STD_DECAY = 0.99f;
  /** Config key: the decay of the U-Net's weight average that is exported (0: the last weights). */
  static final String EMA_DECAY = "ema_decay";

  @Override
  public String name() {
    return "latent-diffusion";
  }

  @Override
  public String description() {
    return "latent diffusion: a U-Net over a frozen VQGAN's latents, CLIP text by cross-attention, condition dropout for guidance";
  }

  @Override
  public ModelConfig defaultConfig() {
    return LatentDiffusionConfig.defaults();
  }

  /** Copies the configs of the frozen CLIP ("text_encoder") and autoencoder ("autoencoder") from their shipped weights. */
  @Override
  public ModelConfig resolveComponents(ModelConfig config, ComponentLookup components) {
    return LatentDiffusionConfig.AUTOENCODER.resolve(TextConditionedModel.super.resolveComponents(config, components), components);
  }

  /**
   * Trained on Fashion-MNIST over the shipped kl-autoencoder and CLIP; variant "twemoji" on Twemoji
   * 32x32 RGB over kl-autoencoder:twemoji and clip:twemoji (docs/model-cards/latent-diffusion.md).
   */
  @Override
  public dev.tessera.api.io.ShippedWeightSets shippedWeightSets() {
    return new dev.tessera.api.io.ShippedWeightSets(LatentDiffusionModel.class, "tessera/weights/latent-diffusion/fashion-mnist",
        Map.of("twemoji", "tessera/weights/latent-diffusion/twemoji"));
  }

  @Override
  public long forwardFlopsPerExample(ModelConfig config) {
    LatentDiffusionConfig c = LatentDiffusionConfig.from(config);
    return UNet.flops(c.unet(), c.paddedGrid());
  }

  @Override
  public TrainingGraph buildTraining(TrainingContext context) {
    ModelConfig config = context.config();
    LatentDiffusionConfig c = LatentDiffusionConfig.from(config);
    TrainingInputs in = context.inputs();
    GraphScope root = context.scope();
    GraphScope scope = root.child(config.getString("scope", "latent_diffusion"));
    Ops tf = scope.tf();
    Operand<TFloat32> latents = tf.stopGradient(c.firstStage().encode(root, context.components(), in.images()));
    Variable<TFloat32> std = scope.buffer(LATENT_STD, new long[0], Initializers.zeros());
    StepRandom random = in.random(tf);
    Encoder encoder = FrozenEncoder.encoder(c.encoder(), context.components());
    Encoder.TextStates text = FrozenEncoder.textStates(root, c.encoder(), encoder, in.tokens());
    // The frozen parts' weights, from the models named (none named: left as initialised, in tests).
    List<Parameters> pretrained = new ArrayList<>();
    if (!FrozenEncoder.CLIP.modelName(config).isEmpty()) {
      pretrained.add(FrozenEncoder.weights(config, context.components()).parameters());
    }
    if (!LatentDiffusionConfig.AUTOENCODER.modelName(config).isEmpty()) {
      pretrained.add(LatentDiffusionConfig.AUTOENCODER.weights(config, context.components()).parameters());
    }
    // The scale is a statistic of the whole batch's latents: on a cluster, of every replica's (WholeBatchLoss); the
    // running average is updated from the sums of the replicas' squared deviations (BatchUpdate).
    return new WholeBatchLoss(scope, Map.of("latents", latents), batch -> {
      Operand<TInt32> axes = tf.constant(new int[] {0, 1, 2, 3});
      Operand<TFloat32> whole = batch.rows("latents");
      Operand<TFloat32> centred = tf.math.sub(whole, tf.math.mean(whole, axes));
      Operand<TFloat32> batchStd = deviation(tf, tf.math.mean(tf.math.square(centred), axes));
      // The average so far, or this batch's on the first step (the buffer starts at 0).
      Operand<TFloat32> first = tf.dtypes.cast(tf.math.equal(std, tf.constant(0f)), TFloat32.class);
      Operand<TFloat32> scale = tf.stopGradient(tf.math.add(std, tf.math.mul(first, batchStd)));
      Operand<TFloat32> z0 = tf.math.div(latents, scale);
      NoisedBatch noised = NoisedBatch.draw(tf, random, c.schedule(), z0, 4);
      Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(random.uniform(noised.batch(), 2), tf.constant((float) c.conditionDropout())),
          TFloat32.class);
      Encoder.TextStates dropped = new Encoder.TextStates(
          tf.stopGradient(tf.math.mul(text.states(), tf.reshape(keep, tf.constant(new long[] {-1, 1, 1})))), text.mask(),
          tf.stopGradient(tf.math.mul(text.embedding(), tf.expandDims(keep, tf.constant(1)))));
      Operand<TFloat32> predicted = LatentDenoiser.epsilon(scope, c, noised.noisy(), noised.timestepsAsFloats(tf), dropped);
      Operand<TFloat32> loss = SquaredError.mean(tf, predicted, noised.noise());
      Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
      metrics.put("latent_std", scale);
      Map<String, Operand<TFloat32>> sums = new LinkedHashMap<>();
      sums.put("squared_deviation", tf.reduceSum(tf.math.square(batch.own(centred)), axes));
      sums.put("elements", tf.dtypes.cast(tf.size(latents), TFloat32.class));
      dev.tessera.api.train.BatchUpdate runningStd = new dev.tessera.api.train.BatchUpdate(sums, List.<org.tensorflow.op.Op>of(scale), (at, total) -> List.<org.tensorflow.op.Op>of(
          at.assign(std, at.math.add(at.math.mul(scale, at.constant(STD_DECAY)),
              at.math.mul(deviation(at, at.math.div(total.get("squared_deviation"), total.get("elements"))), at.constant(1 - STD_DECAY))))));
      String unetPrefix = scope.path() + ".unet.";
      List<dev.tessera.api.graph.VariableStore.Entry> unet = scope.variables().trainable(unetPrefix);
      TrainingGraph graph = new TrainingGraph(loss, metrics, unet, List.of(), null, pretrained).withBatchUpdates(List.of(runningStd));
      double decay = config.getDouble(EMA_DECAY, 0);
      if (decay == 0) {
        return graph;
      }
      // An average of the U-Net's weights is what model.safetensors holds (the checkpoint keeps both).
      String to = scope.path() + ".unet_average.";
      return graph.withExported(WeightAverage.exported(unet, unetPrefix, to)).withAverages(WeightAverage.track(root, unet, unetPrefix, to, decay,
          in.step(tf)));
    }).alone();
  }

  /** The standard deviation of a variance, at least 1e-6 (a batch of one flat colour has none). */
  private static Operand<TFloat32> deviation(Ops tf, Operand<TFloat32> variance) {
    return tf.math.maximum(tf.math.sqrt(variance), tf.constant(1e-6f));
  }
}
