package dev.tessera.plugins.vqgan;

import dev.tessera.api.pipeline.ClipSimilarity;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializer;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.io.TensorData;
import dev.tessera.api.sampling.FedRandomness;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.FrozenAutoencoder;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.types.WeightedPrompts;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.graph.SessionFactory;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One VQGAN-CLIP optimisation over a batch of {@code n} latent grids, in a graph of its own: a
 * continuous grid z [n, G, G, D] (training state, not a model weight) is quantised in the forward
 * pass with straight-through gradients, decoded by the frozen autoencoder, clamped to [0, 1] and
 * scored by the CLIP guidance (random cutouts with noise); Adam minimises -mean(score) over z
 * alone. The graph also holds the encoder (for the starting latents), the codebook lookup (for its
 * scale) and a deterministic {@link ClipSimilarity} for before/after scores.
 *
 * <p>The guidance's cutouts and noise are fed from a generator seeded per batch ({@link
 * FedRandomness}): op-seeded random ops gave other draws in each run of the program, so a seed
 * would not repeat its images. Multi-threaded kernels still sum floats in varying order: across
 * processes a seed repeats its images bit for bit only with TF_NUM_INTRAOP_THREADS=1 and
 * TF_NUM_INTEROP_THREADS=1 in the environment (measured: 8 of 8 images equal, no slower on 2
 * cores; with default threading 6-7 of 8 were equal, CLIP scores within 0.0002).
 */
final class CodeGridOptimisation implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final VariableStore variables;
  private final VariableStore.Entry latents;
  private final Operand<TFloat32> images;
  private final AdamOptimizer adam;
  private final Placeholder<TFloat32> encoderInput;
  private final Operand<TFloat32> encoded;
  private final int codebookSize;
  /** Every codebook vector [K, D]. */
  private final Operand<TFloat32> book;
  private final ClipSimilarity similarity;
  private final FedRandomness randomness;
  /** The prior's mean negative log-likelihood of the grid's codes, nats per code (null: no prior). */
  private final Operand<TFloat32> priorNll;

  /**
   * The prior that scores the grid's codes ({@link #priorNll}): its config and the text embedding
   * [E] its own prompt tower gives the prompt.
   */
  record PriorScore(Prior.CodeScorer scorer, ModelConfig config, float[] text) {}

  /**
   * @param ae the autoencoder's config (scope, encoder, quantizer, decoder, image_size, channels)
   * @param clip the CLIP config, with "cutouts" for the guidance
   * @param weights the autoencoder's and CLIP's tensors
   * @param seed seeds the guidance's random cutouts and noise
   */
  CodeGridOptimisation(ComponentLookup components, ModelConfig ae, ModelConfig clip, Parameters weights, Guidance guidance, String prompt, int n,
      double learningRate, String device, long seed, PriorScore prior) {
    int grid = FrozenAutoencoder.gridSize(ae);
    int dim = FrozenAutoencoder.embeddingDim(ae);
    int size = ae.getPositiveInt("image_size", 28);
    int channels = ae.getPositiveInt("channels", 1);
    this.graph = new Graph();
    Session opened = null;
    try {
      GraphScope root = GraphScope.root(graph, SessionFactory.device(device));
      Ops tf = root.tf();
      this.variables = root.variables();
      Initializer zeros = Initializers.zeros();
      root.child("vqgan_clip").trainingState("latents", new long[] {n, grid, grid, dim}, zeros);
      this.latents = variables.entry("vqgan_clip.latents");
      Operand<TFloat32> quantized = FrozenAutoencoder.quantizer(ae, components)
          .quantize(FrozenAutoencoder.quantizerScope(root, ae), ae, latents.variable()).quantized();
      Operand<TFloat32> decoded = FrozenAutoencoder.decodeVectors(root, ae, components, quantized);
      this.images = tf.math.minimum(tf.math.maximum(decoded, tf.constant(0f)), tf.constant(1f));
      Operand<TFloat32> score = guidance.score(root.child(clip.getString("scope", "clip")), clip, images, Condition.prompt(prompt));
      Operand<TFloat32> loss = tf.math.neg(tf.math.mean(score, tf.constant(0)));
      this.codebookSize = FrozenAutoencoder.codebookSize(ae);
      int[] every = new int[codebookSize];
      for (int i = 0; i < every.length; i++) {
        every[i] = i;
      }
      this.book = FrozenAutoencoder.quantizer(ae, components).embed(FrozenAutoencoder.quantizerScope(root, ae), ae, tf.constant(every));
      this.priorNll = prior == null ? null : buildPriorNll(root, prior, latents.variable(), book, n, grid * grid, dim);
      this.adam = new AdamOptimizer(root, "vqgan_clip.adam", loss, List.of(latents), AdamOptimizer.Config.defaults(learningRate));

      this.encoderInput = tf.withName("init_image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
      this.encoded = FrozenAutoencoder.latents(root, ae, components, encoderInput);
      this.similarity = new ClipSimilarity(root, clip, components);

      this.randomness = new FedRandomness(graph, n, seed);
      opened = SessionFactory.createLoaded(graph, variables, weights);
      this.session = opened;
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close(); // a graph cannot close while a session on it is open
      }
      graph.close();
      throw e;
    }
  }

  /**
   * The prior's mean negative log-likelihood of the codes z quantises to (nearest codebook vector,
   * as the quantizer picks), a scalar in nats per code; outside the loss.
   */
  private static Operand<TFloat32> buildPriorNll(GraphScope root, PriorScore prior, Operand<TFloat32> z, Operand<TFloat32> book, int n, int length,
      int dim) {
    Ops tf = root.tf();
    Operand<TFloat32> flat = tf.reshape(z, tf.constant(new long[] {(long) n * length, dim}));
    Operand<TFloat32> distances = tf.math.add(tf.math.sub(
        tf.reduceSum(tf.math.square(flat), tf.constant(1), org.tensorflow.op.core.ReduceSum.keepDims(true)),
        tf.math.mul(tf.constant(2f), tf.linalg.matMul(flat, book, org.tensorflow.op.linalg.MatMul.transposeB(true)))),
        tf.reduceSum(tf.math.square(book), tf.constant(1))); // [nL, K]
    int k = (int) book.shape().get(0);
    Operand<TInt32> nearest = tf.math.argMin(distances, tf.constant(1), TInt32.class);
    float[] text = new float[n * prior.text().length];
    for (int i = 0; i < n; i++) {
      System.arraycopy(prior.text(), 0, text, i * prior.text().length, prior.text().length);
    }
    Operand<TFloat32> textRows = tf.constant(org.tensorflow.ndarray.NdArrays.wrap(Shape.of(n, prior.text().length),
        org.tensorflow.ndarray.buffer.DataBuffers.of(text, true, false)));
    Operand<TFloat32> logp = tf.reshape(prior.scorer().logProbabilities(root, prior.config(), textRows, tf.reshape(nearest, tf.constant(new long[] {n, length}))),
        tf.constant(new long[] {(long) n * length, k}));
    Operand<TFloat32> hard = tf.oneHot(nearest, tf.constant(k), tf.constant(1f), tf.constant(0f));
    return tf.math.neg(tf.math.mean(tf.reduceSum(tf.math.mul(hard, logp), tf.constant(1)), tf.constant(0)));
  }

  /** The encoder's latents of images at the autoencoder's size and channels, [N * G * G * D] values. */
  float[] encode(ImageBatch batch) {
    try (TFloat32 x = Tensors.floats(batch.shape(), batch.data()); Result r = session.runner().feed(encoderInput, x).fetch(encoded).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  /** Every codebook vector, [K * D] values. */
  float[] codebook() {
    try (Result r = session.runner().fetch(book).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  /** Sets z and clears the optimizer's state: the start of an optimisation. */
  void start(float[] z) {
    Map<String, TensorData> values = new LinkedHashMap<>();
    for (VariableStore.Entry e : variables.entries(EnumSet.of(VariableStore.Kind.TRAINING_STATE))) {
      values.put(e.name(), TensorData.ofFloats(e.shape(), new float[Math.toIntExact(Initializer.numElements(e.shape()))]));
    }
    values.put(latents.name(), TensorData.ofFloats(latents.shape(), z));
    variables.assignAll(session, values);
  }

  /** One Adam step on z, with the guidance's random draws fed from the seeded generator. */
  void step() {
    Session.Runner runner = session.runner().addTarget(adam.update());
    List<TFloat32> fed = randomness.feed(runner);
    try {
      runner.run().close();
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  /** The prior's mean negative log-likelihood of the codes z quantises to now, nats per code (NaN: no prior term). */
  double priorNll() {
    if (priorNll == null) {
      return Double.NaN;
    }
    try (Result r = session.runner().fetch(priorNll).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /** The images z decodes to now (quantised, clamped to [0, 1]). */
  ImageBatch images() {
    try (Result r = session.runner().fetch(images).run()) {
      return Tensors.toImages(r.get(0));
    }
  }

  /** The deterministic CLIP score of each image against the prompt. */
  float[] similarity(ImageBatch batch, WeightedPrompts prompt) {
    return similarity.scores(session, batch, prompt);
  }

  /**
   * The top-level scopes of the graph's variables ("clip", "vqgan", "vqgan_clip"): what the images
   * were made with, recorded in the manifest; the evaluator's scope must never be among them.
   */
  java.util.SortedSet<String> variableScopes() {
    java.util.SortedSet<String> scopes = new java.util.TreeSet<>();
    for (VariableStore.Entry e : variables.entries()) {
      int dot = e.name().indexOf('.');
      scopes.add(dot < 0 ? e.name() : e.name().substring(0, dot));
    }
    return scopes;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
