package dev.tessera.plugins.evaluator;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.Dense;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The evaluator's small CNN: conv3x3(32)-ReLU-conv3x3(32, s2)-ReLU-conv3x3(64)-ReLU-conv3x3(64, s2)-
 * ReLU-dense(128)-ReLU (the features) -dense(classes) (the class logits), over S x S x C images in
 * [0, 1]. Its 128-d features play the role Inception features play for FID on ImageNet-like data:
 * no Inception weights can be downloaded here, and features of a network trained on the data
 * itself measure what matters on it. Fashion-MNIST (28x28x1, 10 classes) and Twemoji
 * subcategories (32x32x3) use the same network; the config says which.
 */
final class ClassifierNetwork {
  static final int FEATURES = 128;

  /**
   * What the network is built for, read from the model's config.json. The defaults (28 x 28 x 1,
   * 10 classes) are Fashion-MNIST's, so the shipped Fashion-MNIST config, which names no classes,
   * still describes its weights.
   *
   * @param classNames one name per class (empty when the config names none)
   */
  record Spec(int imageSize, int channels, int classes, List<String> classNames) {
    static final int DEFAULT_SIZE = 28;
    static final int DEFAULT_CHANNELS = 1;
    static final int DEFAULT_CLASSES = 10;

    /** From a config (null: the defaults). "classes" and "class_names", when both are given, must agree. */
    static Spec of(ModelConfig config) {
      if (config == null) {
        return new Spec(DEFAULT_SIZE, DEFAULT_CHANNELS, DEFAULT_CLASSES, List.of());
      }
      List<String> names = classNames(config);
      int classes = config.getPositiveInt("classes", names.isEmpty() ? DEFAULT_CLASSES : names.size());
      if (!names.isEmpty() && names.size() != classes) {
        throw new TesseraException(config.source() + ": 'classes' is " + classes + " but 'class_names' lists " + names.size());
      }
      if (classes < 2) {
        throw new TesseraException(config.source() + ": a classifier needs at least 2 classes, got " + classes);
      }
      return new Spec(config.getPositiveInt("image_size", DEFAULT_SIZE), config.getPositiveInt("channels", DEFAULT_CHANNELS), classes,
          names);
    }

    private static List<String> classNames(ModelConfig config) {
      com.fasterxml.jackson.databind.JsonNode list = config.node("class_names");
      if (list == null || list.isNull()) {
        return List.of();
      }
      if (!list.isArray()) {
        throw new TesseraException(config.source() + ": 'class_names' must be a list of strings, got " + list);
      }
      List<String> names = new ArrayList<>();
      for (com.fasterxml.jackson.databind.JsonNode n : list) {
        if (!n.isTextual() || n.asText().isBlank()) {
          throw new TesseraException(config.source() + ": every entry of 'class_names' must be a non-empty string, got " + n);
        }
        names.add(n.asText());
      }
      return List.copyOf(names);
    }

    /** Side of the last feature map: two stride-2 SAME convolutions, ceil(S / 4) (28 -> 7, 32 -> 8). */
    int gridSize() {
      return (imageSize + 3) / 4;
    }
  }

  private ClassifierNetwork() {}

  /** @param images [N, S, S, C] in [0, 1], S and C from the config */
  static Operand<TFloat32> features(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    Spec s = Spec.of(config);
    InputShapes.require(images, "evaluator classifier images", -1, s.imageSize(), s.imageSize(), s.channels());
    Ops tf = scope.tf();
    Operand<TFloat32> x = tf.math.sub(images, tf.constant(0.5f));
    x = tf.nn.relu(new Conv2d(scope.child("conv1"), s.channels(), 32, 3).apply(x));
    x = tf.nn.relu(new Conv2d(scope.child("conv2"), 32, 32, 3, 2).apply(x));
    x = tf.nn.relu(new Conv2d(scope.child("conv3"), 32, 64, 3).apply(x));
    x = tf.nn.relu(new Conv2d(scope.child("conv4"), 64, 64, 3, 2).apply(x));
    long flat = (long) s.gridSize() * s.gridSize() * 64;
    x = tf.reshape(x, tf.constant(new long[] {-1, flat}));
    return tf.nn.relu(new Dense(scope.child("fc"), flat, FEATURES).apply(x));
  }

  static Operand<TFloat32> logits(GraphScope scope, ModelConfig config, Operand<TFloat32> features) {
    return new Dense(scope.child("head"), FEATURES, Spec.of(config).classes()).apply(features);
  }

  /** Forward FLOPs for one image. */
  static long flops(ModelConfig config) {
    Spec s = Spec.of(config);
    long half = (s.imageSize() + 1) / 2;
    long grid = s.gridSize();
    return Conv2d.flops(s.imageSize(), s.imageSize(), 3, s.channels(), 32) + Conv2d.flops(half, half, 3, 32, 32)
        + Conv2d.flops(half, half, 3, 32, 64) + Conv2d.flops(grid, grid, 3, 64, 64) + 2L * grid * grid * 64 * FEATURES
        + 2L * FEATURES * s.classes();
  }
}
