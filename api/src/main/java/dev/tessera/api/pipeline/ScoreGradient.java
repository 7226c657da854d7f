package dev.tessera.api.pipeline;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.train.Gradients;
import dev.tessera.api.types.Condition;
import dev.tessera.api.graph.SessionFactory;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The gradient of a score-based guidance (CLIP similarity of clean images, a noisy classifier's
 * log-probability of x_t at timestep t) with respect to the images it scores, in a graph of its
 * own: a sampler adds it to its update without the guidance and the decoder having to share a graph. Built per condition (a CLIP guidance
 * compiles its prompt into the graph).
 */
public final class ScoreGradient implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> images;
  private final Placeholder<TFloat32> timesteps; // null for a score of clean images
  private final Output<TFloat32> gradient;
  private final int size;
  private final int channels;

  /**
   * @param weights the guidance's weights, loaded into the variables it builds (may be null for
   *     guidances without variables)
   * @param scope the scope its weights use (CLIP's: "clip")
   */
  public ScoreGradient(Guidance guidance, ModelConfig config, Parameters weights, String scope, Condition condition, int size, int channels,
      String device) {
    this.size = size;
    this.channels = channels;
    this.graph = new Graph();
    Session opened = null;
    try {
      GraphScope root = GraphScope.root(graph, SessionFactory.device(device));
      this.images = root.tf().withName("guided_images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
      Operand<TFloat32> score;
      if (guidance.scoresNoisySamples()) {
        this.timesteps = root.tf().withName("guided_timesteps").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
        score = guidance.noisyScore(root.child(scope), config, images, timesteps, condition);
      } else {
        this.timesteps = null;
        score = guidance.score(root.child(scope), config, images, condition);
      }
      Operand<TFloat32> total = root.tf().reduceSum(score, root.tf().constant(0));
      this.gradient = Gradients.ofOutputs(graph, total, new Output<?>[] {images.asOutput()}, List.of("guided_images")).get(0);
      opened = SessionFactory.create(graph);
      this.session = opened;
      if (!root.variables().entries().isEmpty()) {
        root.variables().initialize(session, 0);
        if (weights == null) {
          throw new dev.tessera.api.TesseraException("guidance '" + guidance.name() + "' has weights, and no model of that name ships them");
        }
        root.variables().loadPresent(session, weights);
      }
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close(); // a graph cannot close while a session on it is open
      }
      graph.close();
      throw e;
    }
  }

  /** Whether the score is of noisy samples at a timestep ({@link #gradientAt}) rather than of clean images ({@link #gradient}). */
  public boolean scoresNoisySamples() {
    return timesteps != null;
  }

  /** d sum(score) / d images for {@code n} images in [0, 1]. */
  public float[] gradient(float[] values, int n) {
    try (TFloat32 x = Tensors.floats(new long[] {n, size, size, channels}, values); Result r = session.runner().feed(images, x).fetch(gradient).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  /** d sum(score) / d x_t for {@code n} noisy samples (in [-1, 1]) at timestep {@code t}. */
  public float[] gradientAt(float[] noisy, int t, int n) {
    float[] ts = new float[n];
    java.util.Arrays.fill(ts, t);
    try (TFloat32 x = Tensors.floats(new long[] {n, size, size, channels}, noisy);
        TFloat32 tb = Tensors.floats(new long[] {n}, ts);
        Result r = session.runner().feed(images, x).feed(timesteps, tb).fetch(gradient).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
