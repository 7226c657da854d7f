package dev.tessera.api.testing;

import static dev.tessera.api.testing.ContractAssertions.SEED;
import static dev.tessera.api.testing.ContractAssertions.assertFinite;
import static dev.tessera.api.testing.ContractAssertions.assertRepeats;
import static dev.tessera.api.testing.ContractAssertions.assertShape;
import static dev.tessera.api.testing.ContractAssertions.assertVariablesUnder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Decoder;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * What every {@link Decoder} must do, one-shot or iterative. Extend it in a plugin's tests with the
 * decoder, a small config and a {@link TinyBatch}: for a one-shot decoder the latents' shape and
 * the images' shape {@link Decoder#decode} returns, for an iterative one the noisy images' shape
 * twice ({@link Decoder#denoise} predicts something of the same shape). The tests check a valid
 * name, the stated shape with finite values, the same output for the same input and seed,
 * variables only under its scope, {@link UnsupportedOperationException} from the method
 * {@link Decoder#iterative()} rules out, and a {@link TesseraException} for an input whose last
 * axis has another size.
 */
public abstract class DecoderContract {

  /** The decoder under test (a new instance each call). */
  protected abstract Decoder decoder();

  /** A small config it builds with. */
  protected abstract ModelConfig config();

  /** Latents (one-shot) or noisy images (iterative), and what the decoder returns for them. */
  protected abstract TinyBatch batch();

  /** Iterative decoders: the size of the condition vectors (0: unconditional, given null). */
  protected int conditionDim() {
    return 0;
  }

  /** Timesteps an iterative decoder is asked about, one per example (in [0, T) of any T above 20). */
  protected float[] timesteps(int n) {
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = (i * 7) % 20;
    }
    return t;
  }

  /**
   * An input shape the decoder must refuse with a {@link TesseraException}: by default the tiny
   * input with its last axis one larger. Return null for a decoder that takes any size there.
   */
  protected long[] wrongInputShape() {
    return batch().inputWithLastAxisPlusOne();
  }

  /** The scope the contract builds the decoder under. */
  protected static GraphScope scope(GraphRun run) {
    return run.root().child("decoder_under_test");
  }

  private Operand<TFloat32> build(GraphRun run, long[] shape) {
    Decoder d = decoder();
    if (!d.iterative()) {
      return d.decode(scope(run), config(), run.input("latents", shape, TinyBatch.uniform(1, shape, -1, 1)));
    }
    int n = Math.toIntExact(shape[0]);
    Operand<TFloat32> noisy = run.input("noisy", shape, TinyBatch.uniform(1, shape, -1, 1));
    Operand<TFloat32> t = run.input("timesteps", new long[] {n}, timesteps(n));
    long[] conditionShape = {n, conditionDim()};
    Operand<TFloat32> condition = conditionDim() > 0 ? run.input("condition", conditionShape, TinyBatch.uniform(3, conditionShape, -1, 1)) : null;
    return d.denoise(scope(run), config(), noisy, t, condition);
  }

  @Test
  public void nameIsAValidComponentName() {
    ComponentNames.assertValid("decoder", decoder().name());
    assertNotNull(decoder().description());
  }

  @Test
  public void anIterativeDecoderPredictsTheShapeItIsGiven() {
    assumeTrue(decoder().iterative(), "decodes in one pass");
    assertArrayEquals(batch().input(), batch().output(), "denoise predicts noise of the noisy images' shape: state the same shape twice");
  }

  @Test
  public void decodesATinyBatchToTheStatedShape() {
    try (GraphRun run = new GraphRun(SEED)) {
      Operand<TFloat32> y = build(run, batch().input());
      GraphRun.Values out = run.fetch(y);
      String what = decoder().iterative() ? "denoise" : "decode";
      assertShape(what, batch().output(), y, out);
      assertFinite(what, out.values());
      assertVariablesUnder(scope(run));
    }
  }

  @Test
  public void theSameInputAndSeedGiveTheSameOutput() {
    GraphRun.Values first;
    try (GraphRun run = new GraphRun(SEED)) {
      Operand<TFloat32> y = build(run, batch().input());
      first = run.fetch(y);
      assertRepeats("same session", first, run.fetch(y));
    }
    try (GraphRun run = new GraphRun(SEED)) {
      assertRepeats("new graph", first, run.fetch(build(run, batch().input())));
    }
  }

  @Test
  public void theMethodItDoesNotImplementFailsClearly() {
    try (GraphRun run = new GraphRun(SEED)) {
      Operand<TFloat32> x = run.input("x", batch().input(), new float[TinyBatch.elements(batch().input())]);
      if (decoder().iterative()) {
        assertThrows(UnsupportedOperationException.class, () -> decoder().decode(scope(run), config(), x));
      } else {
        Operand<TFloat32> t = run.input("t", new long[] {batch().input()[0]}, new float[batch().batchSize()]);
        assertThrows(UnsupportedOperationException.class, () -> decoder().denoise(scope(run), config(), x, t, null));
      }
    }
  }

  @Test
  public void anInputOfTheWrongSizeIsRefused() {
    long[] wrong = wrongInputShape();
    assumeTrue(wrong != null, "takes inputs of any size on the last axis");
    try (GraphRun run = new GraphRun(SEED)) {
      TesseraException e = assertThrows(TesseraException.class, () -> build(run, wrong));
      assertNotNull(e.getMessage());
    }
  }
}
