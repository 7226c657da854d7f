package dev.tessera.runtime.evaluation;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.api.graph.SessionFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Scores images with the evaluator's networks (trained on real data, shipped by a plugin): the
 * classifier's class probabilities (conditional accuracy) and its features (FID, diversity).
 * Owns a graph and a session; close it.
 */
public final class ImageEvaluator implements AutoCloseable {
  /** Per-image outputs: features [n, d] and class probabilities [n, classes]. */
  public record Outputs(Embedding features, Embedding probabilities) {
    public int predictedClass(int i) {
      int best = 0;
      for (int c = 1; c < probabilities.dim(); c++) {
        if (probabilities.values()[i * probabilities.dim() + c] > probabilities.values()[i * probabilities.dim() + best]) {
          best = c;
        }
      }
      return best;
    }
  }

  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> input;
  private final Operand<TFloat32> features;
  private final Operand<TFloat32> probabilities;
  private final ModelConfig config;

  public ImageEvaluator(Components components, ModelWeights weights) {
    this.config = weights.config();
    int size = config.getPositiveInt("image_size", 28);
    int channels = config.getPositiveInt("channels", 1);
    this.graph = new Graph();
    Session opened = null;
    try {
      GraphScope root = GraphScope.root(graph);
      GraphScope scope = root.child(config.getString("scope", "evaluator"));
      this.input = root.tf().withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
      this.features = components.encoder(config.getString("features", "fashion-features")).encodeImages(scope, config, input);
      this.probabilities = components.encoder(config.getString("encoder", "fashion-classifier")).encodeImages(scope, config, input);
      opened = SessionFactory.create(graph);
      this.session = opened;
      root.variables().load(session, weights.parameters(), VariableStore.MODEL_WEIGHTS, true);
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

  public Outputs run(ImageBatch images) {
    int size = config.getPositiveInt("image_size", 28);
    int channels = config.getPositiveInt("channels", 1);
    ImageBatch fitted = images.channels() == channels ? images : images.withChannels(channels);
    if (fitted.height() != size || fitted.width() != size) {
      throw new TesseraException("the evaluator scores " + size + "x" + size + " images, got " + images.height() + "x" + images.width());
    }
    int n = fitted.count();
    float[] f = null;
    float[] p = null;
    int fd = 0;
    int pd = 0;
    for (int from = 0; from < n; from += 500) {
      ImageBatch chunk = fitted.slice(from, Math.min(n, from + 500));
      try (TFloat32 x = Tensors.images(chunk); Result r = session.runner().feed(input, x).fetch(features).fetch(probabilities).run()) {
        float[] cf = Tensors.toFloats(r.get(0));
        float[] cp = Tensors.toFloats(r.get(1));
        fd = cf.length / chunk.count();
        pd = cp.length / chunk.count();
        if (f == null) {
          f = new float[n * fd];
          p = new float[n * pd];
        }
        System.arraycopy(cf, 0, f, from * fd, cf.length);
        System.arraycopy(cp, 0, p, from * pd, cp.length);
      }
    }
    if (f == null) {
      throw new TesseraException("no images to evaluate");
    }
    return new Outputs(new Embedding(n, fd, f), new Embedding(n, pd, p));
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
