package dev.tessera.plugins.vqgan;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.ShippedWeightSets;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Quantization;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.AdaptiveWeight;
import dev.tessera.api.train.HingeLoss;
import dev.tessera.api.train.PerceptualLoss;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.train.SquaredError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * VQGAN ({@code ./tessera train vqgan}), "Taming Transformers" (Esser et al. 2021): the VQ-VAE's
 * encoder, quantizer and decoder (looked up by name, not copied), trained with
 * <pre>L_G = ||x - x'||^2 / Var + w_p P(x, x') + codebook + beta commitment + [step > disc_start] w_d lambda (-D(x'))</pre>
 * where P is {@link PerceptualLoss} under the frozen CLIP image tower and lambda the
 * {@link AdaptiveWeight}, and a PatchGAN discriminator D trained with hinge loss in a phase of
 * its own, over its own variables only, from {@code disc_start} on. By default it starts from the
 * shipped VQ-VAE (same code grid and codebook), copying that model's architecture keys.
 */
@Extension
public class VqganModel implements TrainableModel {
  public static final String SHIPPED = "tessera/weights/vqgan/fashion-mnist";

  @Override
  public String name() {
    return "vqgan";
  }

  @Override
  public String description() {
    return "VQGAN: VQ-VAE parts + perceptual loss (CLIP features) + PatchGAN hinge discriminator, adaptive weight";
  }

  @Override
  public ModelConfig defaultConfig() {
    return VqganConfig.defaults();
  }

  /** Besides the default (Fashion-MNIST), "twemoji": Twemoji 32x32 RGB, 8x8 codes (docs/model-cards/vqgan.md). */
  @Override
  public ShippedWeightSets shippedWeightSets() {
    return new ShippedWeightSets(VqganModel.class, SHIPPED, Map.of("twemoji", "tessera/weights/vqgan/twemoji"));
  }

  /** Nests the perceptual network's config and copies the architecture of the model it starts from. */
  @Override
  public ModelConfig resolveComponents(ModelConfig config, ComponentLookup components) {
    ModelConfig c = VqganConfig.PERCEPTUAL.resolve(config, components);
    String init = c.getString("init_from", "");
    if (init.isEmpty()) {
      return c;
    }
    ModelConfig from = initWeights(c, components).config();
    for (Iterator<String> it = from.keys(); it.hasNext(); ) {
      String key = it.next();
      if (!c.has(key) && !key.equals(ModelWeights.WEIGHTS_FROM_KEY) && !key.equals("training_seconds")) {
        c = c.with(key, from.node(key));
      }
    }
    return c;
  }

  private static ModelWeights initWeights(ModelConfig config, ComponentLookup components) {
    return new dev.tessera.api.train.NestedModel("init", "init_from", "vqvae", "starting point").weights(config, components);
  }

  @Override
  public TrainingGraph buildTraining(TrainingContext context) {
    ModelConfig config = context.config();
    VqganConfig c = VqganConfig.from(config);
    ComponentLookup components = context.components();
    if (components == null) {
      throw new TesseraException("vqgan is built from the VQ-VAE plugin's encoder, quantizer and decoder: no plugins were given");
    }
    TrainingInputs in = context.inputs();
    GraphScope root = context.scope();
    String prefix = config.getString("scope", "vqgan");
    GraphScope model = root.child(prefix);
    Ops tf = root.tf();
    Operand<TFloat32> x = in.images();

    Operand<TFloat32> latents = components.encoder(config.getString("encoder", "vqvae")).encodeImages(model.child("encoder"), config, x);
    Quantization q = components.quantizer(config.getString("quantizer", "vector-quantizer")).quantize(model.child("quantizer"), config, latents);
    Operand<TFloat32> reconstruction = components.decoder(config.getString("decoder", "vqvae")).decode(model.child("decoder"), config, q.quantized());
    Operand<TFloat32> mse = SquaredError.mean(tf, reconstruction, x);

    ModelConfig perceptualConfig = VqganConfig.PERCEPTUAL.section(config);
    Encoder features = components.encoder(perceptualConfig.getString("encoder", "clip"));
    Operand<TFloat32> perceptual = PerceptualLoss.between(root.child(perceptualConfig.getString("scope", "clip")), perceptualConfig, features, x,
        reconstruction);
    Operand<TFloat32> nll = tf.math.add(tf.math.div(mse, tf.constant((float) c.dataVariance())),
        tf.math.mul(tf.constant((float) c.perceptualWeight()), perceptual));

    PatchDiscriminator discriminator = new PatchDiscriminator(model.child("discriminator"), config.getPositiveInt("channels", 1), c.discChannels());
    Operand<TFloat32> ganLoss = HingeLoss.generator(tf, discriminator.logits(reconstruction));
    List<VariableStore.Entry> generator = new ArrayList<>();
    for (String part : new String[] {"encoder", "quantizer", "decoder"}) {
      generator.addAll(root.variables().trainable(prefix + "." + part + "."));
    }
    Operand<TFloat32> lambda = c.adaptive()
        ? AdaptiveWeight.of(model, nll, ganLoss, lastKernel(root.variables().trainable(prefix + ".decoder.")))
        : tf.constant(1f);
    Operand<TFloat32> step = tf.dtypes.cast(tf.gather(in.requireRandomSeed(), tf.constant(1), tf.constant(0)), TFloat32.class);
    Operand<TFloat32> on = tf.dtypes.cast(tf.math.greater(step, tf.constant((float) c.discStart())), TFloat32.class);
    Operand<TFloat32> adversarial = tf.math.mul(tf.math.mul(on, tf.constant((float) c.discWeight())), tf.math.mul(lambda, ganLoss));
    Operand<TFloat32> loss = tf.math.add(tf.math.add(nll, adversarial),
        tf.math.add(q.codebookLoss(), tf.math.mul(tf.constant((float) c.beta()), q.commitmentLoss())));

    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("mse", mse);
    metrics.put("perceptual", perceptual);
    metrics.put("g_adv", ganLoss);
    metrics.put("adaptive_weight", lambda);
    metrics.put("perplexity", q.perplexity());

    Operand<TFloat32> real = discriminator.logits(x);
    Operand<TFloat32> fake = discriminator.logits(tf.stopGradient(reconstruction));
    Map<String, Operand<TFloat32>> discMetrics = new LinkedHashMap<>();
    discMetrics.put("real", tf.math.mean(real, tf.constant(new int[] {0, 1, 2, 3})));
    discMetrics.put("fake", tf.math.mean(fake, tf.constant(new int[] {0, 1, 2, 3})));
    TrainingGraph.Phase disc = new TrainingGraph.Phase("disc", HingeLoss.discriminator(tf, real, fake),
        root.variables().trainable(prefix + ".discriminator."), c.discStart(), discMetrics);

    List<Parameters> pretrained = new ArrayList<>();
    if (!VqganConfig.PERCEPTUAL.modelName(config).isEmpty()) {
      pretrained.add(VqganConfig.PERCEPTUAL.weights(config, components).parameters());
    }
    if (!config.getString("init_from", "").isEmpty()) {
      pretrained.add(renamed(initWeights(config, components), prefix));
    }
    return new TrainingGraph(loss, metrics, generator, q.trainingUpdates(), null, pretrained, List.of(disc))
        .withBatchUpdates(q.batchUpdates());
  }

  /** The starting model's tensors under this model's scope (they are trained, so not referenced). */
  private static Parameters renamed(ModelWeights init, String prefix) {
    String from = init.config().getString("scope", init.config().getString("model", "vqvae")) + ".";
    Parameters out = new Parameters(init.parameters().source() + " (as " + prefix + ")");
    for (String name : init.parameters().names()) {
      if (name.startsWith(from)) {
        out.put(prefix + "." + name.substring(from.length()), init.parameters().get(name));
      }
    }
    return out;
  }

  /** The decoder's last kernel: the layer the adaptive weight compares gradients at. */
  static VariableStore.Entry lastKernel(List<VariableStore.Entry> decoder) {
    for (int i = decoder.size() - 1; i >= 0; i--) {
      if (decoder.get(i).name().endsWith("kernel")) {
        return decoder.get(i);
      }
    }
    throw new TesseraException("the decoder has no kernel to weigh the adversarial loss at");
  }
}
