package dev.tessera.api.pipeline;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.types.WeightedPrompts;
import dev.tessera.api.spi.ComponentLookup;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A deterministic CLIP score of whole images against a weighted prompt: {@code sum_p w_p
 * cos(image, text_p)} with the CLIP image embedding of the whole image (no cutouts, no noise), so
 * two scores of the same images are equal and a score before and after an optimisation compare.
 * Built into the caller's graph under the CLIP config's scope, so its variables are the CLIP
 * weights the caller loads (and shared with a CLIP guidance built under the same scope).
 */
public final class ClipSimilarity {
  private final PromptTower prompts;
  private final Placeholder<TFloat32> images;
  private final Operand<TFloat32> cosines;
  private final int size;
  private final int channels;

  /** @param clipConfig the CLIP model's config (image_size, channels, scope, encoder, tokenizer) */
  public ClipSimilarity(GraphScope root, ModelConfig clipConfig, ComponentLookup components) {
    this.prompts = new PromptTower(root, clipConfig, components);
    this.size = clipConfig.getPositiveInt("image_size", 28);
    this.channels = clipConfig.getPositiveInt("channels", 1);
    this.images = root.tf().withName("similarity_images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, channels)));
    Operand<TFloat32> resized = root.tf().image.resizeBilinear(images, root.tf().constant(new int[] {size, size}));
    Operand<TFloat32> embedded = FrozenEncoder.images(root, clipConfig, FrozenEncoder.encoder(clipConfig, components), resized); // [N, E]
    this.cosines = root.tf().linalg.matMul(embedded, prompts.embedding(), MatMul.transposeB(true)); // [N, P]
  }

  /** The score of each image, in [-sum |w|, sum |w|]. Images of any size and channel count. */
  public float[] scores(Session session, ImageBatch batch, WeightedPrompts prompt) {
    ImageBatch fitted = batch.channels() == channels ? batch : batch.withChannels(channels);
    try (TFloat32 x = Tensors.floats(fitted.shape(), fitted.data());
        TInt32 t = prompts.tokensOf(session, prompt.prompts());
        Result r = prompts.feed(session.runner(), t).feed(images, x).fetch(cosines).run()) {
      float[] cos = Tensors.toFloats(r.get(0));
      int p = prompt.weights().length;
      float[] out = new float[batch.count()];
      for (int i = 0; i < out.length; i++) {
        for (int j = 0; j < p; j++) {
          out[i] += prompt.weights()[j] * cos[i * p + j];
        }
      }
      return out;
    }
  }

  /** The mean score over the images. */
  public static double mean(float[] scores) {
    double sum = 0;
    for (float s : scores) {
      sum += s;
    }
    return sum / scores.length;
  }
}
