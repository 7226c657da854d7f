package dev.tessera.api.testing;

import static dev.tessera.api.testing.ContractAssertions.SEED;
import static dev.tessera.api.testing.ContractAssertions.assertFinite;
import static dev.tessera.api.testing.ContractAssertions.assertRepeats;
import static dev.tessera.api.testing.ContractAssertions.assertShape;
import static dev.tessera.api.testing.ContractAssertions.assertVariablesUnder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * What every {@link Encoder} must do. Extend it in a plugin's tests, say which modalities the
 * encoder supports and on which tiny shapes, and the tests below run on it: a valid name, the
 * stated output shapes with finite values, the same output for the same input and seed, variables
 * only under its scope, {@link UnsupportedOperationException} for the modalities it does not
 * support and a {@link TesseraException} for images with another channel count.
 *
 * <pre>{@code
 * class VqVaeEncoderContractTest extends EncoderContract {
 *   protected Encoder encoder() { return new VqVaeEncoder(); }
 *   protected ModelConfig config() { return TINY; }
 *   protected TinyBatch images() { return TinyBatch.of(new long[] {2, 8, 8, 1}, new long[] {2, 2, 2, 3}); }
 * }
 * }</pre>
 */
public abstract class EncoderContract {

  /** The encoder under test (a new instance each call). */
  protected abstract Encoder encoder();

  /** A small config it builds with. */
  protected abstract ModelConfig config();

  /** Tiny images [N, H, W, C] (values in [0, 1]) and the shape encodeImages returns; null when it does not encode images. */
  protected TinyBatch images() {
    return null;
  }

  /** Tiny token batches [N, L] and the shape encodeText returns; null when it does not encode text. */
  protected TinyBatch text() {
    return null;
  }

  /** Token ids in the tiny text batch are drawn below this. */
  protected int tokenBound() {
    return 2;
  }

  /** The width of encodeTextStates' per-token states, or 0 when it gives none. */
  protected long textStateWidth() {
    return 0;
  }

  /** Whether imageFeatures gives feature maps. */
  protected boolean givesImageFeatures() {
    return false;
  }

  /**
   * Images of a size the encoder must refuse with a {@link TesseraException}: by default the tiny
   * images with one more channel. Return null for an encoder that takes any channel count.
   */
  protected long[] wrongImageShape() {
    return images() == null ? null : images().inputWithLastAxisPlusOne();
  }

  /** The scope the contract builds the encoder under. */
  protected static GraphScope scope(GraphRun run) {
    return run.root().child("encoder_under_test");
  }

  private Operand<TFloat32> encodeImages(GraphRun run, long[] shape) {
    return encoder().encodeImages(scope(run), config(), run.input("images", shape, TinyBatch.uniform(1, shape, 0, 1)));
  }

  private Operand<TFloat32> encodeText(GraphRun run) {
    return encoder().encodeText(scope(run), config(), tinyTokens(run));
  }

  private org.tensorflow.Operand<org.tensorflow.types.TInt32> tinyTokens(GraphRun run) {
    long[] shape = text().input();
    int[] ids = new int[Math.toIntExact(shape[0] * shape[1])];
    SplittableRandom random = new SplittableRandom(2);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextInt(tokenBound());
    }
    return run.input("tokens", shape, ids);
  }

  @Test
  public void textStatesArePerTokenWithAMaskAndTheSameEmbedding() {
    assumeTrue(text() != null && textStateWidth() > 0, "gives no per-token text states");
    long[] shape = text().input();
    GraphRun.Values embedding;
    try (GraphRun run = new GraphRun(SEED)) {
      embedding = run.fetch(encodeText(run));
    }
    try (GraphRun run = new GraphRun(SEED)) {
      Encoder.TextStates s = encoder().encodeTextStates(scope(run), config(), tinyTokens(run));
      GraphRun.Values states = run.fetch(s.states());
      assertShape("encodeTextStates states", new long[] {shape[0], shape[1], textStateWidth()}, s.states(), states);
      assertFinite("encodeTextStates states", states.values());
      GraphRun.Values mask = run.fetch(s.mask());
      assertShape("encodeTextStates mask", shape, s.mask(), mask);
      for (float m : mask.values()) {
        assertTrue(m == 0f || m == 1f, "mask values are 0 or 1, got " + m);
      }
      for (int row = 0; row < shape[0]; row++) {
        assertEquals(1f, mask.values()[(int) (row * shape[1])], "the first position is always attended");
      }
      assertRepeats("encodeTextStates embedding = encodeText", embedding, run.fetch(s.embedding()));
      assertVariablesUnder(scope(run));
    }
  }

  @Test
  public void nameIsAValidComponentName() {
    ComponentNames.assertValid("encoder", encoder().name());
    assertNotNull(encoder().description());
  }

  @Test
  public void encodesImagesOrText() {
    assertTrue(images() != null || text() != null, "state the tiny images() or text() the encoder encodes");
  }

  @Test
  public void encodesTinyImagesToTheStatedShape() {
    assumeTrue(images() != null, "does not encode images");
    try (GraphRun run = new GraphRun(SEED)) {
      Operand<TFloat32> y = encodeImages(run, images().input());
      GraphRun.Values out = run.fetch(y);
      assertShape("encodeImages", images().output(), y, out);
      assertFinite("encodeImages", out.values());
      assertVariablesUnder(scope(run));
    }
  }

  @Test
  public void encodesTinyTextToTheStatedShape() {
    assumeTrue(text() != null, "does not encode text");
    try (GraphRun run = new GraphRun(SEED)) {
      Operand<TFloat32> y = encodeText(run);
      GraphRun.Values out = run.fetch(y);
      assertShape("encodeText", text().output(), y, out);
      assertFinite("encodeText", out.values());
      assertVariablesUnder(scope(run));
    }
  }

  @Test
  public void theSameInputAndSeedGiveTheSameEmbedding() {
    if (images() != null) {
      GraphRun.Values first;
      try (GraphRun run = new GraphRun(SEED)) {
        Operand<TFloat32> y = encodeImages(run, images().input());
        first = run.fetch(y);
        assertRepeats("encodeImages, same session", first, run.fetch(y));
      }
      try (GraphRun run = new GraphRun(SEED)) {
        assertRepeats("encodeImages, new graph", first, run.fetch(encodeImages(run, images().input())));
      }
    }
    if (text() != null) {
      GraphRun.Values first;
      try (GraphRun run = new GraphRun(SEED)) {
        first = run.fetch(encodeText(run));
      }
      try (GraphRun run = new GraphRun(SEED)) {
        assertRepeats("encodeText, new graph", first, run.fetch(encodeText(run)));
      }
    }
  }

  @Test
  public void imageFeaturesAreFiniteMapsPerImage() {
    assumeTrue(givesImageFeatures(), "gives no image features");
    long[] shape = images().input();
    try (GraphRun run = new GraphRun(SEED)) {
      List<Operand<TFloat32>> maps = encoder().imageFeatures(scope(run), config(), run.input("images", shape, TinyBatch.uniform(1, shape, 0, 1)));
      assertFalse(maps.isEmpty(), "imageFeatures gave no feature maps");
      List<GraphRun.Values> out = run.fetch(maps.toArray(new Operand<?>[0]));
      for (int i = 0; i < out.size(); i++) {
        assertEquals(shape[0], out.get(i).shape()[0], "feature map " + i + " has another batch size");
        assertFinite("feature map " + i, out.get(i).values());
      }
      assertVariablesUnder(scope(run));
    }
  }

  @Test
  public void unsupportedModalitiesFailClearly() {
    try (GraphRun run = new GraphRun(SEED)) {
      if (images() == null) {
        assertThrows(UnsupportedOperationException.class, () -> encodeImages(run, new long[] {1, 4, 4, 1}));
      }
      if (text() == null) {
        assertThrows(UnsupportedOperationException.class,
            () -> encoder().encodeText(scope(run), config(), run.input("tokens", new long[] {1, 2}, new int[2])));
      }
      if (!givesImageFeatures()) {
        assertThrows(UnsupportedOperationException.class,
            () -> encoder().imageFeatures(scope(run), config(), run.input("images", new long[] {1, 4, 4, 1}, new float[16])));
      }
    }
  }

  @Test
  public void imagesOfAnotherChannelCountAreRefused() {
    long[] wrong = wrongImageShape();
    assumeTrue(wrong != null, "takes images of any channel count");
    try (GraphRun run = new GraphRun(SEED)) {
      TesseraException e = assertThrows(TesseraException.class, () -> encodeImages(run, wrong));
      assertNotNull(e.getMessage());
    }
  }
}
