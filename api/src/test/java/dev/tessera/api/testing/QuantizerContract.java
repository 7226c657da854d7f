package dev.tessera.api.testing;

import static dev.tessera.api.testing.ContractAssertions.assertClose;
import static dev.tessera.api.testing.ContractAssertions.SEED;
import static dev.tessera.api.testing.ContractAssertions.assertFinite;
import static dev.tessera.api.testing.ContractAssertions.assertRepeats;
import static dev.tessera.api.testing.ContractAssertions.assertShape;
import static dev.tessera.api.testing.ContractAssertions.assertVariablesUnder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Quantization;
import dev.tessera.api.spi.Quantizer;
import dev.tessera.api.train.Gradients;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * What every {@link Quantizer} must do. Extend it with the quantizer, a small config and the shape
 * of tiny latents [..., D]. The tests check a valid name, a positive codebook size, quantized
 * vectors of the latents' shape and codes of that shape without the last axis, in [0, K), finite
 * losses of at least 0 and a perplexity in [1, K], that {@link Quantizer#embed} of the codes gives
 * the quantized vectors, that gradients pass straight through, the same output for the same input
 * and seed, variables only under its scope, and a {@link TesseraException} for latents whose last
 * axis has another size.
 */
public abstract class QuantizerContract {
  static final double TOLERANCE = 1e-5;

  /** The quantizer under test (a new instance each call). */
  protected abstract Quantizer quantizer();

  /** A small config it builds with. */
  protected abstract ModelConfig config();

  /** Tiny latents, e.g. {2, 2, 2, 3}: a 2x2 grid of 3-d vectors per example. */
  protected abstract long[] latentShape();

  /** Latent values are drawn uniformly from [-range, range). */
  protected float latentRange() {
    return 1f;
  }

  /** Latents the quantizer must refuse: by default one more value on the last axis; null when it takes any size. */
  protected long[] wrongLatentShape() {
    long[] s = latentShape().clone();
    s[s.length - 1]++;
    return s;
  }

  /** The scope the contract builds the quantizer under. */
  protected static GraphScope scope(GraphRun run) {
    return run.root().child("quantizer_under_test");
  }

  private Placeholder<TFloat32> latents(GraphRun run, long[] shape) {
    return run.input("latents", shape, TinyBatch.uniform(1, shape, -latentRange(), latentRange()));
  }

  private Quantization quantize(GraphRun run) {
    return quantizer().quantize(scope(run), config(), latents(run, latentShape()));
  }

  private static long[] withoutLastAxis(long[] shape) {
    return Arrays.copyOf(shape, shape.length - 1);
  }

  @Test
  public void nameIsAValidComponentName() {
    ComponentNames.assertValid("quantizer", quantizer().name());
    assertNotNull(quantizer().description());
    assertTrue(quantizer().codebookSize(config()) > 0, "codebookSize must be positive");
  }

  @Test
  public void quantizesToCodesInTheCodebook() {
    int k = quantizer().codebookSize(config());
    try (GraphRun run = new GraphRun(SEED)) {
      Quantization q = quantize(run);
      List<GraphRun.Values> out = run.fetch(q.quantized(), q.codes(), q.codebookLoss(), q.commitmentLoss(), q.perplexity());
      assertShape("quantized", latentShape(), q.quantized(), out.get(0));
      assertFinite("quantized", out.get(0).values());
      assertShape("codes", withoutLastAxis(latentShape()), q.codes(), out.get(1));
      for (float code : out.get(1).values()) {
        assertTrue(code >= 0 && code < k, "code " + code + " is outside [0, " + k + ")");
      }
      for (int i = 2; i <= 3; i++) {
        String what = i == 2 ? "codebook loss" : "commitment loss";
        assertEquals(0, out.get(i).shape().length, what + " must be a scalar");
        assertTrue(out.get(i).values()[0] >= 0 && Float.isFinite(out.get(i).values()[0]), what + " is " + out.get(i).values()[0]);
      }
      float perplexity = out.get(4).values()[0];
      assertTrue(perplexity >= 1 - TOLERANCE && perplexity <= k * (1 + TOLERANCE), "perplexity " + perplexity + " is outside [1, " + k + "]");
      assertVariablesUnder(scope(run));
    }
  }

  @Test
  public void embeddingTheCodesGivesTheQuantizedVectors() {
    try (GraphRun run = new GraphRun(SEED)) {
      Quantization q = quantize(run);
      Operand<TFloat32> embedded = quantizer().embed(scope(run), config(), q.codes());
      List<GraphRun.Values> out = run.fetch(q.quantized(), embedded);
      assertShape("embed(codes)", latentShape(), embedded, out.get(1));
      assertClose("embed(codes) vs quantized", out.get(0).values(), out.get(1).values(), TOLERANCE);
    }
  }

  @Test
  public void gradientsPassStraightThroughToTheLatents() {
    try (GraphRun run = new GraphRun(SEED)) {
      Placeholder<TFloat32> z = latents(run, latentShape());
      Quantization q = quantizer().quantize(scope(run), config(), z);
      Ops tf = run.root().tf();
      float[] weights = TinyBatch.uniform(5, latentShape(), -1, 1);
      Operand<TFloat32> w = tf.reshape(tf.constant(weights), tf.constant(latentShape()));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(q.quantized(), w), tf.constant(allAxes(latentShape().length)));
      Output<TFloat32> gradient = Gradients.ofOutputs(run.root().graph(), loss, new Output<?>[] {z.asOutput()}, List.of("latents")).get(0);
      assertClose("d sum(quantized * w) / d latents vs w", weights, run.fetch(gradient).values(), TOLERANCE);
    }
  }

  private static int[] allAxes(int rank) {
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return axes;
  }

  @Test
  public void theSameInputAndSeedGiveTheSameCodes() {
    List<GraphRun.Values> first;
    try (GraphRun run = new GraphRun(SEED)) {
      Quantization q = quantize(run);
      first = run.fetch(q.quantized(), q.codes());
      List<GraphRun.Values> again = run.fetch(q.quantized(), q.codes());
      assertRepeats("quantized, same session", first.get(0), again.get(0));
      assertRepeats("codes, same session", first.get(1), again.get(1));
    }
    try (GraphRun run = new GraphRun(SEED)) {
      Quantization q = quantize(run);
      List<GraphRun.Values> again = run.fetch(q.quantized(), q.codes());
      assertRepeats("quantized, new graph", first.get(0), again.get(0));
      assertRepeats("codes, new graph", first.get(1), again.get(1));
    }
  }

  @Test
  public void latentsOfAnotherSizeAreRefused() {
    long[] wrong = wrongLatentShape();
    assumeTrue(wrong != null, "takes latents of any size on the last axis");
    try (GraphRun run = new GraphRun(SEED)) {
      TesseraException e = assertThrows(TesseraException.class, () -> quantizer().quantize(scope(run), config(), latents(run, wrong)));
      assertNotNull(e.getMessage());
    }
  }
}
