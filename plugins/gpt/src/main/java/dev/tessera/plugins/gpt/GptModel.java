package dev.tessera.plugins.gpt;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ShippedWeightSets;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.TextConditionedModel;
import dev.tessera.api.train.FrozenAutoencoder;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.train.StepRandom;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The transformer prior ({@code ./tessera train gpt}): each step turns the batch's images into
 * code grids with the frozen autoencoder (VQGAN by default, "autoencoder_model" names another,
 * e.g. vqvae), its captions into CLIP text embeddings with the frozen CLIP text tower, and
 * minimises the cross-entropy of every code given the text and the codes before it. The text
 * embedding is zeroed for {@code condition_dropout} of the examples, for classifier-free guidance.
 */
@Extension
public class GptModel implements TextConditionedModel {
  public static final String SHIPPED = "tessera/weights/gpt/fashion-mnist";

  @Override
  public String name() {
    return "gpt";
  }

  @Override
  public String description() {
    return "transformer prior over autoencoder codes, conditioned on CLIP text by a prefix (Taming Transformers)";
  }

  @Override
  public ModelConfig defaultConfig() {
    return GptConfig.defaults();
  }

  @Override
  public ModelConfig resolveComponents(ModelConfig config, ComponentLookup components) {
    return FrozenAutoencoder.MODEL.resolve(TextConditionedModel.super.resolveComponents(config, components), components);
  }

  @Override
  public long forwardFlopsPerExample(ModelConfig config) {
    return CodeTransformer.flops(GptConfig.from(config));
  }

  /**
   * Besides the default (Fashion-MNIST), "twemoji": over vqgan:twemoji codes, conditioned by
   * clip:twemoji; and "wordnet": over the VQGAN's codes, trained on the WordNet and attribute
   * captions and conditioned by clip:wordnet (docs/model-cards/gpt.md).
   */
  @Override
  public ShippedWeightSets shippedWeightSets() {
    return new ShippedWeightSets(GptModel.class, SHIPPED, Map.of("twemoji", "tessera/weights/gpt/twemoji", "wordnet", "tessera/weights/gpt/wordnet"));
  }

  @Override
  public TrainingGraph buildTraining(TrainingContext context) {
    ModelConfig config = context.config();
    GptConfig c = GptConfig.from(config);
    TrainingInputs in = context.inputs();
    GraphScope root = context.scope();
    GraphScope scope = root.child(config.getString("scope", "gpt"));
    Ops tf = scope.tf();
    ModelConfig ae = FrozenAutoencoder.MODEL.section(config);
    ModelConfig encoder = FrozenEncoder.section(config);
    Operand<TInt32> codes = tf.reshape(FrozenAutoencoder.codes(root, ae, context.components(), in.images()), tf.constant(new long[] {-1, c.codes()}));
    Operand<TFloat32> text = tf.stopGradient(FrozenEncoder.text(root, encoder, FrozenEncoder.encoder(encoder, context.components()), in.tokens()));
    StepRandom random = in.random(tf);
    Operand<TFloat32> keep = tf.dtypes.cast(
        tf.math.greaterEqual(random.uniform(random.batchShape(text), 0), tf.constant((float) c.conditionDropout())), TFloat32.class);
    text = tf.math.mul(text, tf.expandDims(keep, tf.constant(1)));
    Operand<TInt32> previous = tf.slice(codes, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, c.codes() - 1}));
    Operand<TFloat32> logits = new CodeTransformer(scope, c).logits(text, previous);
    Operand<TFloat32> flatLogits = tf.reshape(logits, tf.constant(new long[] {-1, c.codebookSize()}));
    Operand<TInt32> targets = tf.reshape(codes, tf.constant(new long[] {-1}));
    // Cross-entropy from log-softmax and one-hot targets (ops whose gradients TF Java has).
    Operand<TFloat32> picked = tf.reduceSum(tf.math.mul(tf.nn.logSoftmax(flatLogits),
        tf.oneHot(targets, tf.constant(c.codebookSize()), tf.constant(1f), tf.constant(0f))), tf.constant(1));
    Operand<TFloat32> loss = tf.math.neg(tf.math.mean(picked, tf.constant(0)));
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    Operand<TFloat32> hits = tf.dtypes.cast(tf.math.equal(tf.math.argMax(flatLogits, tf.constant(1), TInt32.class), targets), TFloat32.class);
    metrics.put("accuracy", tf.math.mean(hits, tf.constant(0)));
    List<Parameters> pretrained = new ArrayList<>();
    if (!FrozenEncoder.CLIP.modelName(config).isEmpty()) {
      pretrained.add(FrozenEncoder.weights(config, context.components()).parameters());
    }
    if (!FrozenAutoencoder.MODEL.modelName(config).isEmpty()) {
      pretrained.add(FrozenAutoencoder.MODEL.weights(config, context.components()).parameters());
    }
    return new TrainingGraph(loss, metrics, scope.variables().trainable(scope.path() + "."), List.of(), null, pretrained);
  }
}
