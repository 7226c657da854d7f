package dev.tessera.plugins.evaluator;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.Dense;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A small CNN for 28x28 grayscale clothing: conv3x3(32)-ReLU-conv3x3(32, s2)-ReLU-conv3x3(64)-ReLU-
 * conv3x3(64, s2)-ReLU-dense(128)-ReLU (the features) -dense(10) (the class logits). Its 128-d
 * features play the role Inception features play for FID on ImageNet-like data: no Inception
 * weights can be downloaded here, and features of a network trained on the data itself measure
 * what matters on Fashion-MNIST.
 */
final class FashionNetwork {
  static final int FEATURES = 128;
  static final int CLASSES = 10;

  private FashionNetwork() {}

  /** @param images [N, 28, 28, 1] in [0, 1] */
  static Operand<TFloat32> features(GraphScope scope, Operand<TFloat32> images) {
    InputShapes.require(images, "Fashion-MNIST classifier images", -1, 28, 28, 1);
    Ops tf = scope.tf();
    Operand<TFloat32> x = tf.math.sub(images, tf.constant(0.5f));
    x = tf.nn.relu(new Conv2d(scope.child("conv1"), 1, 32, 3).apply(x));
    x = tf.nn.relu(new Conv2d(scope.child("conv2"), 32, 32, 3, 2).apply(x));
    x = tf.nn.relu(new Conv2d(scope.child("conv3"), 32, 64, 3).apply(x));
    x = tf.nn.relu(new Conv2d(scope.child("conv4"), 64, 64, 3, 2).apply(x));
    x = tf.reshape(x, tf.constant(new long[] {-1, 7 * 7 * 64}));
    return tf.nn.relu(new Dense(scope.child("fc"), 7 * 7 * 64, FEATURES).apply(x));
  }

  static Operand<TFloat32> logits(GraphScope scope, Operand<TFloat32> features) {
    return new Dense(scope.child("head"), FEATURES, CLASSES).apply(features);
  }

  /** Forward FLOPs for one image. */
  static long flops() {
    return Conv2d.flops(28, 28, 3, 1, 32) + Conv2d.flops(14, 14, 3, 32, 32) + Conv2d.flops(14, 14, 3, 32, 64)
        + Conv2d.flops(7, 7, 3, 64, 64) + 2L * 7 * 7 * 64 * FEATURES + 2L * FEATURES * CLASSES;
  }
}
