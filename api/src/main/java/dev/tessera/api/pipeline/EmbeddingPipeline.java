package dev.tessera.api.pipeline;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.types.TokenIds;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.graph.SessionFactory;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A joint image/text encoder (CLIP) with its tokenizer and weights, ready to embed images and
 * prompts into one space. The encoder and tokenizer are picked by the names in the weights'
 * config.json ("encoder", "tokenizer"). Owns its graph and session; close it.
 */
public final class EmbeddingPipeline implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final Tokenizer tokenizer;
  private final ModelConfig config;
  private final Placeholder<TFloat32> images;
  private final Placeholder<TInt32> tokens;
  private final Operand<TFloat32> imageEmbeddings;
  private final Operand<TFloat32> textEmbeddings;
  private final int textLength;
  private final int batchSize;
  private final UnknownWordReading reading; // null: no lexicon or no known captions

  public EmbeddingPipeline(ComponentLookup components, ModelWeights weights, int batchSize, String device) {
    this.config = weights.config();
    this.batchSize = PipelineOptions.BATCH_SIZE.checkInt(batchSize);
    Encoder encoder = components.encoder(config.getString("encoder", "clip"));
    this.tokenizer = components.tokenizer(config.getString("tokenizer", "clip"));
    int size = config.getPositiveInt("image_size", 28);
    int channels = config.getPositiveInt("channels", 1);
    this.textLength = config.getPositiveInt("text_length", tokenizer.contextLength());
    this.reading = UnknownWordReading.of(new VocabularyCheck(encoder.name(), tokenizer, encoder.knownTokens(config),
        VocabularyCheck.captionWords(config)), KnownCaptions.of(config),
        components.lexicon());
    this.graph = new Graph();
    Session opened = null;
    try {
      GraphScope root = GraphScope.root(graph, SessionFactory.device(device));
      GraphScope scope = root.child(config.getString("scope", "clip"));
      this.images = root.tf().withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
      this.tokens = root.tf().withName("tokens").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, textLength)));
      this.imageEmbeddings = encoder.encodeImages(scope, config, images);
      this.textEmbeddings = encoder.encodeText(scope, config, tokens);
      opened = SessionFactory.create(graph);
      this.session = opened;
      // The training-only logit scale may sit in the weights: load what the towers use, leniently.
      root.variables().load(session, weights.parameters(), VariableStore.MODEL_WEIGHTS, false);
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close(); // a graph cannot close while a session on it is open
      }
      graph.close();
      throw e;
    }
  }

  public ModelConfig config() {
    return config;
  }

  /**
   * The prompt with the words this CLIP has no embedding for read through the lexicon, as the
   * generators' prompt towers read it ({@link UnknownWordReading}; without the far-from-captions
   * check). {@link #embedTexts} does not read: {@code classify} and {@code similarity} measure the
   * CLIP itself; re-ranking reads, so it ranks against what the generator was asked for.
   */
  public String asRead(String prompt) {
    return reading == null || prompt == null ? prompt : reading.read(prompt).prompt();
  }

  /**
   * {@link #embedImages} of images of any size and channel count, first resized and converted to
   * the model's (as an image file is read): generated images scored by a CLIP trained at another
   * size (the 32x32 Twemoji VQGAN's under the 64x64 Twemoji CLIP).
   */
  public Embedding embedImagesOfAnySize(ImageBatch batch) {
    int size = config.getPositiveInt("image_size", 28);
    return embedImages(dev.tessera.api.io.PngImages.resized(batch, size, size, config.getPositiveInt("channels", 1)));
  }

  /** The image embeddings of images at the model's size and channels; other sizes are refused. */
  public Embedding embedImages(ImageBatch batch) {
    int size = config.getPositiveInt("image_size", 28);
    int channels = config.getPositiveInt("channels", 1);
    if (batch.height() != size || batch.width() != size || batch.channels() != channels) {
      throw new TesseraException("the model takes " + size + "x" + size + "x" + channels + " images, got "
          + batch.height() + "x" + batch.width() + "x" + batch.channels());
    }
    float[] out = null;
    int dim = 0;
    for (int from = 0; from < batch.count(); from += batchSize) {
      ImageBatch chunk = batch.slice(from, Math.min(batch.count(), from + batchSize));
      try (TFloat32 x = Tensors.images(chunk); Result r = session.runner().feed(images, x).fetch(imageEmbeddings).run()) {
        float[] e = Tensors.toFloats(r.get(0));
        dim = e.length / chunk.count();
        if (out == null) {
          out = new float[batch.count() * dim];
        }
        System.arraycopy(e, 0, out, from * dim, e.length);
      }
    }
    return out == null ? new Embedding(0, 1, new float[0]) : new Embedding(batch.count(), dim, out);
  }

  /** Prompts longer than the model's text length are cut, keeping the end token. */
  public Embedding embedTexts(List<String> prompts) {
    int[] ids = new int[prompts.size() * textLength];
    for (int i = 0; i < prompts.size(); i++) {
      TokenIds t = tokenizer.encode(prompts.get(i));
      if (t.length() > textLength) {
        t = t.truncateKeepingLast(textLength);
      }
      System.arraycopy(t.padTo(Math.max(textLength, t.size()), tokenizer.padId()).ids(), 0, ids, i * textLength, textLength);
    }
    try (TInt32 t = Tensors.ints(new long[] {prompts.size(), textLength}, ids);
        Result r = session.runner().feed(tokens, t).fetch(textEmbeddings).run()) {
      float[] e = Tensors.toFloats(r.get(0));
      return new Embedding(prompts.size(), prompts.isEmpty() ? 1 : e.length / prompts.size(), e);
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
