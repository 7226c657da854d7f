package dev.tessera.api.testing;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Quantization;
import dev.tessera.api.spi.Quantizer;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A stand-in for a VQ-VAE in tests of models over codes, with no weights: the encoder averages
 * 4x4 pixel blocks of a one-channel image, the quantizer rounds each average to one of K grey
 * levels (code k is the level (k + 0.5) / K), the decoder paints each block its level. An 8x8 image
 * becomes a 2x2 grid of codes. All three are named "dummy-vq"; {@link #config()} nests in a model.
 */
public final class DummyAutoencoder {
  private DummyAutoencoder() {}

  public static ModelConfig config() {
    return ModelConfig.empty().with("model", "dummy-vq").with("scope", "dummy_vq").with("encoder", "dummy-vq").with("quantizer", "dummy-vq")
        .with("decoder", "dummy-vq").with("image_size", 8).with("channels", 1).with("codebook_size", 4).with("embedding_dim", 1);
  }

  public static Object[] components() {
    return new Object[] {new BlockEncoder(), new LevelQuantizer(), new BlockDecoder()};
  }

  /** The dummy autoencoder's three components, the {@link DummyTextEncoder} and any others, for models built on both. */
  public static DummyComponents withTextEncoder(Object... others) {
    DummyComponents c = new DummyComponents(new DummyTextEncoder());
    for (Object o : components()) {
      c.add(o);
    }
    for (Object o : others) {
      c.add(o);
    }
    return c;
  }

  static final class BlockEncoder implements Encoder {
    @Override
    public String name() {
      return "dummy-vq";
    }

    @Override
    public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
      Ops tf = scope.tf();
      return tf.nn.avgPool(images, List.of(1L, 4L, 4L, 1L), List.of(1L, 4L, 4L, 1L), "VALID");
    }
  }

  static final class LevelQuantizer implements Quantizer {
    @Override
    public String name() {
      return "dummy-vq";
    }

    @Override
    public int codebookSize(ModelConfig config) {
      return config.getPositiveInt("codebook_size", 4);
    }

    @Override
    public Quantization quantize(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
      InputShapes.requireLastAxis(latents, 1, "dummy-vq latents");
      Ops tf = scope.tf();
      int k = codebookSize(config);
      Operand<TFloat32> level = tf.clipByValue(tf.math.floor(tf.math.mul(latents, tf.constant((float) k))), tf.constant(0f), tf.constant(k - 1f));
      Operand<TInt32> codes = tf.squeeze(tf.dtypes.cast(level, TInt32.class), org.tensorflow.op.core.Squeeze.axis(List.of(-1L)));
      Operand<TFloat32> zero = tf.constant(0f);
      // Straight-through: the levels forward, the identity backward.
      Operand<TFloat32> quantized = tf.math.add(latents, tf.stopGradient(tf.math.sub(embed(scope, config, codes), latents)));
      return new Quantization(quantized, codes, zero, zero, perplexity(tf, codes, k), List.of());
    }

    /** exp(entropy) of the batch's code usage. */
    private static Operand<TFloat32> perplexity(Ops tf, Operand<TInt32> codes, int k) {
      Operand<TFloat32> oneHot = tf.reshape(tf.oneHot(codes, tf.constant(k), tf.constant(1f), tf.constant(0f)), tf.constant(new long[] {-1, k}));
      Operand<TFloat32> p = tf.math.mean(oneHot, tf.constant(0));
      return tf.math.exp(tf.math.neg(tf.reduceSum(tf.math.mul(p, tf.math.log(tf.math.add(p, tf.constant(1e-10f)))), tf.constant(0))));
    }

    @Override
    public Operand<TFloat32> embed(GraphScope scope, ModelConfig config, Operand<TInt32> codes) {
      Ops tf = scope.tf();
      int k = codebookSize(config);
      Operand<TFloat32> level = tf.math.div(tf.math.add(tf.dtypes.cast(codes, TFloat32.class), tf.constant(0.5f)), tf.constant((float) k));
      return tf.expandDims(level, tf.constant(-1));
    }
  }

  static final class BlockDecoder implements Decoder {
    @Override
    public String name() {
      return "dummy-vq";
    }

    @Override
    public Operand<TFloat32> decode(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
      Ops tf = scope.tf();
      long g = GraphScope.staticDim(latents, 1);
      return tf.image.resizeNearestNeighbor(latents, tf.constant(new int[] {(int) g * 4, (int) g * 4}));
    }
  }
}
