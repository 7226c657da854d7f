package dev.tessera.plugins.clip;

import dev.tessera.api.TesseraException;
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
 * {@code cutouts} random crops with light noise (as VQGAN-CLIP does, so the gradient does not
 * chase one view). Its gradient with respect to the images steers a decoder from another plugin.
 *
 * <p>Call it with the scope the CLIP weights use (for example {@code clip}) and load the CLIP
 * weights into that scope's variables. Config keys: the CLIP model's, plus {@code cutouts}
 * (default 8) and {@code cutout_noise} (default 0.05).
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
    float noise = (float) config.getDouble("cutout_noise", 0.05);
    List<Operand<TFloat32>> views = new ArrayList<>();
    Operand<TFloat32> prepared = toModelChannels(tf, images, c.channels());
    for (int k = 0; k < cutouts; k++) {
      views.add(cutout(tf, prepared, c.imageSize(), noise, k));
    }
    Operand<TFloat32> all = tf.concat(views, tf.constant(0)); // [K*N, S, S, C]
    Operand<TFloat32> embedded = ClipVisionTower.build(scope.child("vision"), c, all); // [K*N, E]
    Operand<TFloat32> cos = tf.linalg.matMul(embedded, texts, org.tensorflow.op.linalg.MatMul.transposeB(true)); // [K*N, P]
    Operand<TFloat32> weighted = tf.reduceSum(tf.math.mul(cos, tf.constant(prompts.weights())), tf.constant(1)); // [K*N]
    // [K, N] -> mean over cutouts -> [N]
    Operand<TFloat32> perView = tf.reshape(weighted, tf.constant(new long[] {cutouts, -1}));
    return tf.math.mean(perView, tf.constant(0));
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
   * One random square crop of 60-100% of the side (per batch), resized to the model's input, plus
   * Gaussian noise. Random ops with fixed op seeds: each session run draws new crops. The draws
   * are PlaceholderWithDefault ops named {@code random_uniform_cutout<k>} ([3]: side and offsets)
   * and {@code random_normal_cutout<k>} ([N, S, S, C]), which a caller may feed.
   */
  static Operand<TFloat32> cutout(Ops tf, Operand<TFloat32> images, int size, float noise, int k) {
    long h = images.shape().size(1);
    long w = images.shape().size(2);
    // Random draws are constants to the gradient (random ops have none).
    // Fed-randomness convention of the Guidance SPI: a caller may feed these by name to repeat a run exactly.
    Operand<TFloat32> u = tf.stopGradient(tf.withName("random_uniform_cutout" + k).placeholderWithDefault(
        tf.random.randomUniform(tf.constant(new int[] {3}), TFloat32.class,
            org.tensorflow.op.random.RandomUniform.seed(1234L), org.tensorflow.op.random.RandomUniform.seed2((long) k + 1)),
        org.tensorflow.ndarray.Shape.of(3)));
    // side fraction s in [0.6, 1], offsets in [0, 1 - s]
    Operand<TFloat32> side = tf.math.add(tf.constant(0.6f), tf.math.mul(tf.constant(0.4f), tf.gather(u, tf.constant(0), tf.constant(0))));
    Operand<TFloat32> slack = tf.math.sub(tf.constant(1f), side);
    Operand<TFloat32> y0 = tf.math.mul(slack, tf.gather(u, tf.constant(1), tf.constant(0)));
    Operand<TFloat32> x0 = tf.math.mul(slack, tf.gather(u, tf.constant(2), tf.constant(0)));
    Operand<TFloat32> box = tf.reshape(tf.stack(List.of(y0, x0, tf.math.add(y0, side), tf.math.add(x0, side))), tf.constant(new long[] {1, 4}));
    Operand<TInt32> n = tf.slice(tf.shape(images), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TFloat32> boxes = tf.tile(box, tf.concat(List.of(n, tf.constant(new int[] {1})), tf.constant(0)));
    Operand<TInt32> indices = tf.range(tf.constant(0), tf.reshape(n, tf.constant(new int[0])), tf.constant(1));
    Operand<TFloat32> crops = tf.image.cropAndResize(images, boxes, indices, tf.constant(new int[] {size, size}));
    if (noise > 0) {
      long channels = images.shape().size(3);
      Operand<TFloat32> gaussian = tf.withName("random_normal_cutout" + k).placeholderWithDefault(
          tf.random.randomStandardNormal(tf.shape(crops), TFloat32.class,
              org.tensorflow.op.random.RandomStandardNormal.seed(4321L), org.tensorflow.op.random.RandomStandardNormal.seed2((long) k + 1)),
          org.tensorflow.ndarray.Shape.of(-1, size, size, channels));
      crops = tf.math.add(crops, tf.math.mul(tf.constant(noise), tf.stopGradient(gaussian)));
    }
    if (h < 0 || w < 0) {
      throw new IllegalArgumentException("CLIP guidance needs images of known height and width");
    }
    return crops;
  }
}
