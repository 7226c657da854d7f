package dev.tessera.api.testing;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Dense;
import dev.tessera.api.layers.TokenEmbedding;
import dev.tessera.api.spi.Encoder;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A stand-in for CLIP in model tests: token ids (below {@code vocabulary}, default 64) and images
 * (any size, flattened) to unit vectors of {@code embed_dim} (default 4). Named "dummy-clip".
 */
public class DummyTextEncoder implements Encoder {
  public static ModelConfig config() {
    return ModelConfig.empty().with("encoder", "dummy-clip").with("scope", "dummy_clip").with("tokenizer", "dummy")
        .with("embed_dim", 4).with("text_length", 6).with("vocabulary_size", 64);
  }

  /** Caption ids for {@code count} examples, [count, 6]: start 1, 2, a word 10 + i naming example i, end 3, padding. */
  public static int[] captions(int count) {
    int[] t = new int[count * 6];
    for (int i = 0; i < count; i++) {
      System.arraycopy(new int[] {1, 2, 10 + i, 3, 0, 0}, 0, t, i * 6, 6);
    }
    return t;
  }

  @Override
  public String name() {
    return "dummy-clip";
  }

  @Override
  public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    Ops tf = scope.tf();
    long size = GraphScope.staticDim(images, 1) * GraphScope.staticDim(images, 2) * GraphScope.staticDim(images, 3);
    Operand<TFloat32> flat = tf.reshape(images, tf.constant(new long[] {-1, size}));
    return normalize(tf, new Dense(scope.child("image"), size, config.getPositiveInt("embed_dim", 4)).apply(flat));
  }

  /** Two feature "maps" of the flattened image, [N, 8] and [N, 4] (tanh of dense layers), for perceptual losses. */
  @Override
  public java.util.List<Operand<TFloat32>> imageFeatures(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    Ops tf = scope.tf();
    long size = GraphScope.staticDim(images, 1) * GraphScope.staticDim(images, 2) * GraphScope.staticDim(images, 3);
    Operand<TFloat32> f1 = tf.math.tanh(new Dense(scope.child("features1"), size, 8).apply(tf.reshape(images, tf.constant(new long[] {-1, size}))));
    Operand<TFloat32> f2 = tf.math.tanh(new Dense(scope.child("features2"), 8, 4).apply(f1));
    return java.util.List.of(f1, f2);
  }

  @Override
  public Operand<TFloat32> encodeText(GraphScope scope, ModelConfig config, Operand<TInt32> tokens) {
    Ops tf = scope.tf();
    Operand<TFloat32> e = new TokenEmbedding(scope.child("tokens"), config.getPositiveInt("vocabulary_size", 64),
        config.getPositiveInt("embed_dim", 4)).apply(tokens);
    return normalize(tf, tf.reduceSum(e, tf.constant(1)));
  }

  /** States: each token's embedding, [N, L, embed_dim]; mask: 1 up to the end token (id 3, or the row's end). */
  @Override
  public TextStates encodeTextStates(GraphScope scope, ModelConfig config, Operand<TInt32> tokens) {
    Ops tf = scope.tf();
    Operand<TFloat32> e = new TokenEmbedding(scope.child("tokens"), config.getPositiveInt("vocabulary_size", 64),
        config.getPositiveInt("embed_dim", 4)).apply(tokens);
    Operand<TFloat32> end = tf.dtypes.cast(tf.math.equal(tokens, tf.constant(3)), TFloat32.class);
    Operand<TFloat32> mask = tf.math.sub(tf.constant(1f), tf.math.minimum(tf.math.cumsum(end, tf.constant(1),
        org.tensorflow.op.math.Cumsum.exclusive(true)), tf.constant(1f)));
    return new TextStates(e, mask, normalize(tf, tf.reduceSum(e, tf.constant(1))));
  }

  private static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> n = tf.reduceSum(tf.math.square(x), tf.constant(-1), ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(tf.math.add(n, tf.constant(1e-12f))));
  }
}
