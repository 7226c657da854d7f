package dev.tessera.plugins.diffusion;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.TextConditionedModel;
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

/**
 * DALL-E 2's prior ({@code ./tessera train dalle2-prior}): a diffusion model over CLIP image
 * embeddings conditioned on the CLIP text embedding of the caption. Each step embeds the batch's
 * images and captions with the frozen CLIP towers, noises the (scaled) image embeddings at a
 * random timestep and regresses the denoiser's output on the noise; the text condition is dropped
 * for {@code condition_dropout} of the examples so classifier-free guidance works.
 */
@Extension
public class DiffusionPriorModel implements TextConditionedModel {
  public static final String SHIPPED = "tessera/weights/diffusion/dalle2-prior";

  @Override
  public String name() {
    return "dalle2-prior";
  }

  @Override
  public String description() {
    return "diffusion prior: CLIP text embedding -> CLIP image embedding (MLP denoiser, DALL-E 2)";
  }

  @Override
  public ModelConfig defaultConfig() {
    return PriorConfig.defaults();
  }

  @Override
  public long forwardFlopsPerExample(ModelConfig config) {
    PriorConfig c = PriorConfig.from(config);
    return EmbeddingDenoiser.flops(c.dim(), c.hidden(), c.blocks(), c.dim());
  }

  @Override
  public TrainingGraph buildTraining(TrainingContext context) {
    ModelConfig config = context.config();
    PriorConfig c = PriorConfig.from(config);
    TrainingInputs in = context.inputs();
    GraphScope scope = context.scope().child(config.getString("scope", "prior"));
    Ops tf = scope.tf();
    Encoder encoder = FrozenEncoder.encoder(c.encoder(), context.components());
    Operand<TFloat32> text = tf.stopGradient(FrozenEncoder.text(context.scope(), c.encoder(), encoder, in.tokens()));
    Operand<TFloat32> image = tf.stopGradient(FrozenEncoder.images(context.scope(), c.encoder(), encoder, in.images()));
    Operand<TFloat32> x0 = tf.math.mul(image, tf.constant(c.scale()));
    StepRandom random = in.random(tf);
    NoisedBatch noised = NoisedBatch.draw(tf, random, c.schedule(), x0, 2);
    Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(random.uniform(noised.batch(), 2), tf.constant((float) c.conditionDropout())),
        TFloat32.class);
    Operand<TFloat32> condition = tf.math.mul(text, tf.expandDims(keep, tf.constant(1)));
    Operand<TFloat32> predicted = c.denoiser(scope).apply(noised.noisy(), noised.timestepsAsFloats(tf), condition);
    Operand<TFloat32> loss = SquaredError.mean(tf, predicted, noised.noise());
    List<dev.tessera.api.io.Parameters> pretrained = config.getString("text_model", "clip").isEmpty()
        ? List.of() : List.of(FrozenEncoder.weights(config, context.components()).parameters());
    return new TrainingGraph(loss, Map.of(), scope.variables().trainable(scope.path() + ".denoiser."), List.of(), null, pretrained);
  }

  @Override
  public ModelWeights shippedWeights() {
    return ModelWeights.shipped(DiffusionPriorModel.class, SHIPPED);
  }
}
