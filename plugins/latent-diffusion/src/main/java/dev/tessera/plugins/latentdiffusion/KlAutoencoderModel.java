package dev.tessera.plugins.latentdiffusion;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ShippedWeightSets;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.AutoencodingModel;
import dev.tessera.api.train.StepRandom;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.train.SquaredError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A small KL-regularised autoencoder ({@code ./tessera train kl-autoencoder}), the first stage latent
 * diffusion runs in (Rombach et al. 2022's "KL-reg." autoencoders): the VQ-VAE plugin's encoder
 * and decoder (found by name, "vqvae") with a 2 x z_channels encoder output read as the mean and
 * log-variance of a Gaussian per latent, a sample of it decoded, and the loss mean squared error
 * plus {@code kl_weight} times the KL divergence to N(0, 1) per latent value. A weak KL keeps the
 * latents near zero and smooth without blurring the reconstruction much; the diffusion model then
 * scales them to unit variance. It lives in this plugin because latent diffusion is its only user.
 */
@Extension
public class KlAutoencoderModel implements AutoencodingModel {
  /** The latents' channels; the encoder gives twice as many (means and log-variances). */
  static final String Z_CHANNELS = "z_channels";

  @Override
  public String name() {
    return "kl-autoencoder";
  }

  @Override
  public String description() {
    return "KL-regularised autoencoder (the VQ-VAE's encoder and decoder, Gaussian latents): latent diffusion's first stage";
  }

  @Override
  public ModelConfig defaultConfig() {
    return ModelConfig.empty().with("model", "kl-autoencoder").with("scope", "kl_autoencoder").with("encoder", "vqvae").with("decoder", "vqvae")
        .with("image_size", 28).with("channels", 1).with("hidden_channels", 128).with("residual_channels", 32).with("residual_layers", 2)
        .with(Z_CHANNELS, 4).with("embedding_dim", 8).with("kl_weight", 1e-4).with("learning_rate", 2e-4).with("batch_size", 64);
  }

  /** The encoder's config: 2 x z_channels outputs (means, then log-variances). */
  static ModelConfig encoderConfig(ModelConfig c) {
    return c.with("embedding_dim", 2 * c.getPositiveInt(Z_CHANNELS, 4));
  }

  /** The decoder's config: z_channels inputs. */
  static ModelConfig decoderConfig(ModelConfig c) {
    return c.with("embedding_dim", c.getPositiveInt(Z_CHANNELS, 4));
  }

  /** Trained on Fashion-MNIST; variant "twemoji" on Twemoji 32x32 RGB (docs/model-cards/latent-diffusion.md). */
  @Override
  public ShippedWeightSets shippedWeightSets() {
    return new ShippedWeightSets(KlAutoencoderModel.class, "tessera/weights/latent-diffusion/kl-autoencoder",
        Map.of("twemoji", "tessera/weights/latent-diffusion/kl-autoencoder-twemoji"));
  }

  @Override
  public ModelConfig resolveComponents(ModelConfig config, ComponentLookup components) {
    return encoderConfig(config); // embedding_dim follows z_channels, so the saved config builds the encoder as trained
  }

  /** The deterministic round trip: the encoder's means, decoded (no sampling). */
  @Override
  public Operand<TFloat32> reconstruct(GraphScope root, ModelConfig config, ComponentLookup components, Operand<TFloat32> images) {
    FirstStage first = new FirstStage(encoderConfig(config));
    return first.decode(root, components, first.encode(root, components, images), false);
  }

  @Override
  public TrainingGraph buildTraining(TrainingContext context) {
    ModelConfig config = encoderConfig(context.config());
    int z = config.getPositiveInt(Z_CHANNELS, 4);
    double klWeight = config.getDouble("kl_weight", 1e-4);
    if (!(klWeight >= 0)) {
      throw new dev.tessera.api.TesseraException(config.source() + ": 'kl_weight' must be 0 or more, got " + klWeight);
    }
    TrainingInputs in = context.inputs();
    GraphScope scope = context.scope().child(config.getString("scope", "kl_autoencoder"));
    Ops tf = scope.tf();
    Operand<TFloat32> moments = context.components().encoder(config.getString("encoder", "vqvae"))
        .encodeImages(scope.child("encoder"), config, in.images());
    Operand<TFloat32> mean = tf.slice(moments, tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {-1, -1, -1, z}));
    Operand<TFloat32> logVar = tf.clipByValue(tf.slice(moments, tf.constant(new int[] {0, 0, 0, z}), tf.constant(new int[] {-1, -1, -1, z})),
        tf.constant(-30f), tf.constant(20f));
    StepRandom random = in.random(tf);
    Operand<TFloat32> sample = tf.math.add(mean, tf.math.mul(tf.math.exp(tf.math.mul(logVar, tf.constant(0.5f))), random.normal(tf.shape(mean), 0)));
    Operand<TFloat32> decoded = context.components().decoder(config.getString("decoder", "vqvae"))
        .decode(scope.child("decoder"), decoderConfig(config), sample);
    Operand<TInt32> all = tf.constant(new int[] {0, 1, 2, 3});
    Operand<TFloat32> reconstruction = SquaredError.mean(tf, decoded, in.images());
    // KL(N(mean, var) || N(0, 1)) per latent value: (mean^2 + var - 1 - log var) / 2
    Operand<TFloat32> kl = tf.math.mean(tf.math.mul(tf.constant(0.5f),
        tf.math.sub(tf.math.add(tf.math.square(mean), tf.math.exp(logVar)), tf.math.add(tf.constant(1f), logVar))), all);
    Operand<TFloat32> loss = tf.math.add(reconstruction, tf.math.mul(kl, tf.constant((float) klWeight)));
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("mse", reconstruction);
    metrics.put("kl", kl);
    return new TrainingGraph(loss, metrics, scope.variables().trainable(scope.path() + "."), List.of(), null);
  }
}
