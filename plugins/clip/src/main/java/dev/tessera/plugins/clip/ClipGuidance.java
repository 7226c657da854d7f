package dev.tessera.plugins.clip;

import dev.tessera.api.TesseraException;
import dev.tessera.api.augment.RandomViews;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.TokenIds;
import dev.tessera.api.types.WeightedPrompts;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * CLIP guidance, built inside the caller's graph: the weighted cosine similarity between the CLIP
 * image embedding of an image tensor and the text embeddings of the prompt, averaged over
 * {@code cutouts} random views of each image (crops, zoom, rotation, flips, noise: as VQGAN-CLIP does, so the gradient does not
 * chase one view). Its gradient with respect to the images steers a decoder from another plugin.
 *
 * <p>Call it with the scope the CLIP weights use (for example {@code clip}) and load the CLIP
 * weights into that scope's variables. Config keys: the CLIP model's, plus {@code cutouts}
 * (views per image, default 8), {@code views} (a {@link RandomViews} preset, default "crops") and
 * {@code views_*} overrides ({@code views_noise}, ...) and {@code view_fill} (the background level
 * the views show outside the image, default 0).
 */
@Extension
public class ClipGuidance implements Guidance {
  private final ClipTokenizer tokenizer = new ClipTokenizer();

  @Override
  public String name() {
    return "clip";
  }

  @Override
  public String description() {
    return "CLIP similarity of images to a weighted prompt ('a shoe:1|a bag:-0.5'), over random cutouts";
  }

  @Override
  public Operand<TFloat32> score(GraphScope scope, ModelConfig config, Operand<TFloat32> images, Condition condition) {
    if (condition == null || condition.prompt() == null) {
      throw new TesseraException("CLIP guidance needs a prompt");
    }
    ClipConfig c = ClipConfig.from(config);
    Ops tf = scope.tf();
    WeightedPrompts prompts = WeightedPrompts.parse(condition.prompt());
    int[] ids = new int[prompts.prompts().size() * c.textLength()];
    for (int i = 0; i < prompts.prompts().size(); i++) {
      TokenIds t = tokenizer.encode(prompts.prompts().get(i));
      if (t.length() > c.textLength()) {
        t = t.truncateKeepingLast(c.textLength());
      }
      System.arraycopy(t.padTo(Math.max(c.textLength(), t.size()), 0).ids(), 0, ids, i * c.textLength(), c.textLength());
    }
    Operand<TInt32> tokens = tf.reshape(tf.constant(ids), tf.constant(new long[] {prompts.prompts().size(), c.textLength()}));
    Operand<TFloat32> texts = ClipTextTower.build(scope.child("text"), c, tokens); // [P, E]

    int cutouts = config.getPositiveInt("cutouts", 8);
    RandomViews random = views(config);
    float fill = (float) config.getDouble("view_fill", 0);
    Operand<TFloat32> prepared = toModelChannels(tf, images, c.channels());
    Operand<TFloat32> all = views(tf, prepared, c.imageSize(), random, fill, cutouts); // [K*N, S, S, C]
    Operand<TFloat32> embedded = ClipVisionTower.build(scope.child("vision"), c, all); // [K*N, E]
    Operand<TFloat32> cos = tf.linalg.matMul(embedded, texts, org.tensorflow.op.linalg.MatMul.transposeB(true)); // [K*N, P]
    Operand<TFloat32> weighted = tf.reduceSum(tf.math.mul(cos, tf.constant(prompts.weights())), tf.constant(1)); // [K*N]
    // [K, N] -> mean over cutouts -> [N]
    Operand<TFloat32> perView = tf.reshape(weighted, tf.constant(new long[] {cutouts, -1}));
    return tf.math.mean(perView, tf.constant(0));
  }

  /**
   * The views scored per image: the preset named by {@code views} ({@link RandomViews#CROPS} when
   * absent), with {@code views_*} keys ({@code views_noise}, {@code views_rotation}, ...) overriding single settings.
   */
  public static RandomViews views(ModelConfig config) {
    return RandomViews.from(config, "views", RandomViews.CROPS);
  }

  /** Gray <-> RGB so any decoder's images fit the CLIP model's channels. */
  static Operand<TFloat32> toModelChannels(Ops tf, Operand<TFloat32> images, int channels) {
    long have = images.shape().size(3);
    if (have == channels || have < 0) {
      return images;
    }
    if (channels == 1 && have >= 3) {
      Operand<TFloat32> rgb = have == 3 ? images
          : tf.slice(images, tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {-1, -1, -1, 3}));
      return tf.reduceSum(tf.math.mul(rgb, tf.constant(new float[] {0.299f, 0.587f, 0.114f})), tf.constant(3), ReduceSum.keepDims(true));
    }
    if (channels == 3 && have == 1) {
      return tf.tile(images, tf.constant(new int[] {1, 1, 1, 3}));
    }
    throw new IllegalArgumentException("cannot turn " + have + "-channel images into " + channels + " channels");
  }

  /**
   * {@code cutouts} random views of each image ({@link RandomViews}) at the model's input size,
   * [K*N, S, S, C], view k of every image before view k + 1; one warp for all of them (a graph op
   * per view costs more than the views). The draws are PlaceholderWithDefault ops named
   * {@code random_uniform_cutout<k>} ([N, DRAWS]) and {@code random_normal_cutout<k>}
   * ([N, S, S, C]), which a caller may feed; unfed, op-seeded random ops draw new views at every
   * session run.
   */
  static Operand<TFloat32> views(Ops tf, Operand<TFloat32> images, int size, RandomViews views, float fill, int cutouts) {
    if (images.shape().size(1) < 0 || images.shape().size(2) < 0) {
      throw new IllegalArgumentException("CLIP guidance needs images of known height and width");
    }
    Operand<TInt32> n = tf.slice(tf.shape(images), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    long channels = images.shape().size(3);
    List<Operand<TFloat32>> uniform = new ArrayList<>();
    List<Operand<TFloat32>> normal = new ArrayList<>();
    for (int k = 0; k < cutouts; k++) {
      // Fed-randomness convention of the Guidance SPI: a caller may feed these by name to repeat a run exactly.
      uniform.add(tf.withName("random_uniform_cutout" + k).placeholderWithDefault(
          tf.random.randomUniform(tf.concat(List.of(n, tf.constant(new int[] {RandomViews.DRAWS})), tf.constant(0)), TFloat32.class,
              org.tensorflow.op.random.RandomUniform.seed(1234L), org.tensorflow.op.random.RandomUniform.seed2((long) k + 1)),
          org.tensorflow.ndarray.Shape.of(-1, RandomViews.DRAWS)));
      if (views.noise() > 0) {
        normal.add(tf.withName("random_normal_cutout" + k).placeholderWithDefault(
            tf.random.randomStandardNormal(tf.concat(List.of(n, tf.constant(new int[] {size, size, (int) channels})), tf.constant(0)),
                TFloat32.class, org.tensorflow.op.random.RandomStandardNormal.seed(4321L),
                org.tensorflow.op.random.RandomStandardNormal.seed2((long) k + 1)),
            org.tensorflow.ndarray.Shape.of(-1, size, size, channels)));
      }
    }
    Operand<TFloat32> tiled = cutouts == 1 ? images : tf.tile(images, tf.constant(new int[] {cutouts, 1, 1, 1}));
    Operand<TFloat32> u = cutouts == 1 ? uniform.get(0) : tf.concat(uniform, tf.constant(0));
    Operand<TFloat32> z = normal.isEmpty() ? null : normal.size() == 1 ? normal.get(0) : tf.concat(normal, tf.constant(0));
    // Random draws are constants to the gradient (random ops have none): RandomViews stops it.
    return views.apply(tf, tiled, u, z, size, fill);
  }
}
