package dev.tessera.api.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * A perceptual distance in the manner of LPIPS (Zhang et al. 2018) without its learned channel
 * weights: feature maps of a fixed network at several depths are unit-normalised along channels;
 * per depth, the squared distance is summed over channels and averaged over positions and images;
 * the depths are averaged. The feature network is any Encoder that gives
 * {@link Encoder#imageFeatures}; no VGG can be downloaded here, so models use one trained in the
 * project (VQGAN uses the CLIP image tower).
 */
public final class PerceptualLoss {
  private PerceptualLoss() {}

  /** The distance between two feature stacks of equal shapes. */
  public static Operand<TFloat32> of(Ops tf, List<Operand<TFloat32>> a, List<Operand<TFloat32>> b) {
    if (a.isEmpty() || a.size() != b.size()) {
      throw new IllegalArgumentException("perceptual loss needs two feature stacks of the same non-zero depth, got " + a.size() + " and " + b.size());
    }
    Operand<TFloat32> total = tf.constant(0f);
    for (int i = 0; i < a.size(); i++) {
      Operand<TFloat32> d = tf.reduceSum(tf.math.squaredDifference(unit(tf, a.get(i)), unit(tf, b.get(i))), tf.constant(-1));
      total = tf.math.add(total, tf.math.mean(d, Gradients.allAxes(tf, d)));
    }
    return tf.math.div(total, tf.constant((float) a.size()));
  }

  /**
   * The distance between images and their reconstructions under {@code encoder}'s features (one
   * pass over both). Images of another side than the feature network's {@code image_size} are
   * resized bilinearly to it first (a 32x32 autoencoder measured by a 64x64 CLIP tower).
   */
  public static Operand<TFloat32> between(GraphScope encoderScope, ModelConfig encoderConfig, Encoder encoder, Operand<TFloat32> images,
      Operand<TFloat32> reconstructions) {
    Ops tf = encoderScope.tf();
    Operand<TFloat32> pair = tf.concat(List.of(images, reconstructions), tf.constant(0));
    long side = images.shape().get(1);
    int featureSide = encoderConfig.getPositiveInt("image_size", (int) side);
    if (side > 0 && side != featureSide) {
      pair = tf.image.resizeBilinear(pair, tf.constant(new int[] {featureSide, featureSide}));
    }
    List<Operand<TFloat32>> both = encoder.imageFeatures(encoderScope, encoderConfig, pair);
    List<Operand<TFloat32>> a = new ArrayList<>();
    List<Operand<TFloat32>> b = new ArrayList<>();
    for (Operand<TFloat32> f : both) {
      List<Output<TFloat32>> halves = tf.split(tf.constant(0), f, 2L).output();
      a.add(halves.get(0));
      b.add(halves.get(1));
    }
    return of(tf, a, b);
  }

  private static Operand<TFloat32> unit(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> norm = tf.math.sqrt(tf.math.add(tf.reduceSum(tf.math.square(x), tf.constant(-1), ReduceSum.keepDims(true)), tf.constant(1e-10f)));
    return tf.math.div(x, norm);
  }
}
