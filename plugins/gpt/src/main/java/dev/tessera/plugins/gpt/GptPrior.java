package dev.tessera.plugins.gpt;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.TracedRuns;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.sampling.TokenSampling;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.Latents;
import java.util.SplittableRandom;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The transformer prior behind the Prior SPI: given a CLIP text embedding
 * ({@link Condition#embedding}) it samples code grids [count, G, G] one code at a time in raster
 * order, with temperature, top-k, top-p and a seed ({@link TokenSampling}); a guidance scale other
 * than 1 contrasts the conditional logits with those of the zeroed text embedding
 * (classifier-free guidance: u + s (c - u)). The decode loop is Java over session runs. With
 * "kv_cache" (the default) each code costs one position over cached keys and values; without, the
 * whole sequence is recomputed for every code. Both give the same codes for the same seed. As a
 * {@link Prior.CodeScorer} it gives the teacher-forced log-probabilities of given grids (the
 * conditional ones: guidance is a sampling choice).
 */
@Extension
public class GptPrior implements Prior, Prior.CodeScorer {
  @Override
  public String name() {
    return "gpt";
  }

  @Override
  public String description() {
    return "autoregressive transformer over code grids, CLIP text prefix, key/value cache";
  }

  @Override
  public Sampler build(GraphScope root, ModelConfig config) {
    GptConfig c = GptConfig.from(config);
    Ops tf = root.tf();
    CodeTransformer net = new CodeTransformer(root.child(config.getString("scope", "gpt")), c);
    Placeholder<TFloat32> text = tf.withName("gpt_text").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, c.textDim())));
    if (c.kvCache()) {
      Placeholder<TInt32> codes = tf.withName("gpt_codes").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TInt32> position = tf.withName("gpt_position").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      CodeTransformer.Step first = net.prefill(text);
      CodeTransformer.Step next = net.next(codes, position);
      Operand<TFloat32> firstLogits = tf.withControlDependencies(first.stores()).identity(first.logits());
      Operand<TFloat32> nextLogits = tf.withControlDependencies(next.stores()).identity(next.logits());
      return (session, condition, count, options) -> sample(c, condition, count, options, (rows, textRows, previous, j) -> {
        if (j == 0) {
          try (TFloat32 t = Tensors.floats(new long[] {rows, c.textDim()}, textRows); Result r = TracedRuns.run(session.runner().feed(text, t).fetch(firstLogits))) {
            return Tensors.toFloats(r.get(0));
          }
        }
        int[] last = new int[rows];
        for (int i = 0; i < rows; i++) {
          last[i] = previous[i * (c.codes() - 1) + j - 1];
        }
        try (TInt32 cb = Tensors.ints(new long[] {rows}, last); TInt32 pb = TInt32.scalarOf(c.prefixLength() + j - 1);
            Result r = TracedRuns.run(session.runner().feed(codes, cb).feed(position, pb).fetch(nextLogits))) {
          return Tensors.toFloats(r.get(0));
        }
      });
    }
    Placeholder<TInt32> previousCodes = tf.withName("gpt_previous").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, c.codes() - 1)));
    Placeholder<TInt32> index = tf.withName("gpt_index").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
    Operand<TFloat32> all = net.logits(text, previousCodes);
    Operand<TFloat32> at = tf.reshape(tf.gather(all, index, tf.constant(1)), tf.constant(new long[] {-1, c.codebookSize()}));
    return (session, condition, count, options) -> sample(c, condition, count, options, (rows, textRows, previous, j) -> {
      try (TFloat32 t = Tensors.floats(new long[] {rows, c.textDim()}, textRows); TInt32 p = Tensors.ints(new long[] {rows, c.codes() - 1}, previous);
          TInt32 i = TInt32.scalarOf(j); Result r = TracedRuns.run(session.runner().feed(text, t).feed(previousCodes, p).feed(index, i).fetch(at))) {
        return Tensors.toFloats(r.get(0));
      }
    });
  }

  @Override
  public Operand<TFloat32> logProbabilities(GraphScope root, ModelConfig config, Operand<TFloat32> text, Operand<TInt32> codes) {
    GptConfig c = GptConfig.from(config);
    Ops tf = root.tf();
    CodeTransformer net = new CodeTransformer(root.child(config.getString("scope", "gpt")), c);
    Operand<TInt32> previous = tf.slice(codes, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, c.codes() - 1}));
    return tf.nn.logSoftmax(net.logits(text, previous));
  }

  /** Logits [rows, K] of code j given the text rows and the codes so far ([rows, N - 1], zero past j). */
  @FunctionalInterface
  private interface NextLogits {
    float[] logits(int rows, float[] textRows, int[] previous, int j);
  }

  private static Latents sample(GptConfig c, Condition condition, int count, SamplingOptions options, NextLogits model) {
    Embedding text = condition.embedding();
    if (text == null || text.dim() != c.textDim()) {
      throw new TesseraException("the gpt prior takes a CLIP text embedding of " + c.textDim() + " values"
          + (text == null ? ", got none" : ", got " + text.dim()));
    }
    if (count <= 0) {
      throw new TesseraException("the number of samples must be positive, got " + count);
    }
    float scale = options.guidanceScale();
    boolean guided = scale != 1f;
    int rows = guided ? 2 * count : count;
    float[] textRows = new float[rows * c.textDim()];
    System.arraycopy(text.rowsFor(count), 0, textRows, 0, count * c.textDim()); // the unconditional half stays zero
    int n = c.codes();
    int k = c.codebookSize();
    int[] previous = new int[rows * (n - 1)];
    int[] out = new int[count * n];
    SplittableRandom random = new SplittableRandom(options.seed());
    for (int j = 0; j < n; j++) {
      float[] logits = model.logits(rows, textRows, previous, j);
      if (guided) {
        for (int i = 0; i < count * k; i++) {
          float cond = logits[i];
          float uncond = logits[count * k + i];
          logits[i] = uncond + scale * (cond - uncond);
        }
      }
      for (int i = 0; i < count; i++) {
        int code = TokenSampling.sample(logits, i * k, k, options.temperature(), options.topK(), options.topP(), random.nextDouble());
        out[i * n + j] = code;
        if (j < n - 1) {
          previous[i * (n - 1) + j] = code;
          if (guided) {
            previous[(count + i) * (n - 1) + j] = code;
          }
        }
      }
    }
    return Latents.ofCodes(new long[] {count, c.gridSize(), c.gridSize()}, out);
  }
}
