package dev.tessera.plugins.clip;

import dev.tessera.api.augment.RandomViews;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.ShippedWeightSets;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.StepRandom;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.WholeBatchLoss;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.types.TokenIds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** CLIP trained contrastively on captioned images ({@code ./tessera train clip}). */
@Extension
public class ClipModel implements TrainableModel {
  public static final String SHIPPED = "tessera/weights/clip/fashion-mnist";
  private static final ShippedWeightSets SETS =
      new ShippedWeightSets(ClipModel.class, SHIPPED, Map.of("twemoji", "tessera/weights/clip/twemoji",
          "wordnet", "tessera/weights/clip/wordnet"));

  @Override
  public String name() {
    return "clip";
  }

  @Override
  public String description() {
    return "CLIP (Radford et al. 2021): ViT image encoder + text transformer, symmetric InfoNCE";
  }

  @Override
  public ModelConfig defaultConfig() {
    return ClipConfig.defaults();
  }

  @Override
  public String tokenizer(ModelConfig config) {
    return config.getString("tokenizer", "clip");
  }

  @Override
  public int textLength(ModelConfig config) {
    return ClipConfig.from(config).textLength();
  }

  /** Gives an embedding row to every token id the training captions use; other ids share one row. */
  @Override
  public ModelConfig adaptToCaptions(ModelConfig config, List<TokenIds> captions) {
    if (config.has("vocabulary")) {
      return config;
    }
    TreeSet<Integer> ids = new TreeSet<>();
    for (TokenIds t : captions) {
      for (int i = 0; i < t.length(); i++) {
        ids.add(t.get(i));
      }
    }
    return config.with("vocabulary", ids.stream().mapToInt(Integer::intValue).toArray());
  }

  @Override
  public long forwardFlopsPerExample(ModelConfig config) {
    ClipConfig c = ClipConfig.from(config);
    return ClipVisionTower.flops(c) + ClipTextTower.flops(c);
  }

  /** {@code huggingface}: a CLIPModel folder (config.json + model.safetensors). */
  @Override
  public ModelWeights importWeights(java.nio.file.Path source, String format) {
    if (!format.equals("huggingface")) {
      throw new dev.tessera.api.TesseraException("CLIP imports format 'huggingface', not '" + format + "'");
    }
    return HuggingFaceClipImporter.importFrom(source);
  }

  /**
   * Besides the default, "twemoji" (trained on Twemoji 64x64 RGB) and "wordnet" (Fashion-MNIST
   * captioned from WordNet and the images' attributes): docs/model-cards/clip.md.
   */
  @Override
  public ShippedWeightSets shippedWeightSets() {
    return SETS;
  }

  /**
   * The training images under the random views {@code augment} asks for ({@link RandomViews}
   * preset, "none" by default, {@code augment_*} keys overriding single settings; {@code view_fill}
   * the background level), drawn afresh each step from the step's seed: a CLIP that has seen
   * its images shifted, turned, zoomed, jittered and partly erased judges what they show, so an
   * optimisation that only pleases its pixels (VQGAN-CLIP) fools it less.
   */
  static Operand<TFloat32> augmented(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    RandomViews views = RandomViews.from(config, "augment", RandomViews.NONE);
    Operand<TFloat32> images = inputs.images();
    if (views.isIdentity()) {
      return images;
    }
    org.tensorflow.op.Ops tf = scope.tf();
    ClipConfig c = ClipConfig.from(config);
    StepRandom random = inputs.random(tf);
    Operand<org.tensorflow.types.TInt32> n = random.batchShape(images);
    Operand<TFloat32> u = random.uniform(tf.concat(List.of(n, tf.constant(new int[] {RandomViews.DRAWS})), tf.constant(0)), 0);
    Operand<TFloat32> normal = views.noise() > 0
        ? random.normal(tf.concat(List.of(n, tf.constant(new int[] {c.imageSize(), c.imageSize(), c.channels()})), tf.constant(0)), 1) : null;
    return views.apply(tf, images, u, normal, c.imageSize(), (float) config.getDouble("view_fill", 0));
  }

  @Override
  public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    if (inputs.tokens() == null) {
      throw new IllegalArgumentException("CLIP trains on captions: TrainingInputs.tokens is missing");
    }
    GraphScope model = scope.child(config.getString("scope", "clip"));
    ClipEncoder encoder = new ClipEncoder();
    Operand<TFloat32> images = encoder.encodeImages(model, config, augmented(scope, config, inputs));
    Operand<TFloat32> texts = encoder.encodeText(model, config, inputs.tokens());
    Operand<TFloat32> logScale = model.weight("logit_scale", new long[0], Initializers.constant(ClipConfig.LOGIT_SCALE_INIT));
    var trainable = scope.variables().trainable(model.path());
    // Every image against every caption of the whole batch: on a cluster, of every replica's (WholeBatchLoss).
    return new WholeBatchLoss(scope, Map.of("images", images, "texts", texts), batch -> {
      ContrastiveLoss loss = new ContrastiveLoss(scope.tf(), batch.rows("images"), batch.rows("texts"), logScale);
      Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
      metrics.put("accuracy", loss.accuracy);
      metrics.put("scale", loss.scale);
      return new TrainingGraph(loss.loss, metrics, trainable, List.of(), null);
    }).alone();
  }
}
