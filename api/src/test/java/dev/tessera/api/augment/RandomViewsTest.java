package dev.tessera.api.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.testing.GradientChecker;
import dev.tessera.api.testing.LayerHarness;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Random views: what each draw does to a known image, gradients, and the config's presets. */
class RandomViewsTest {
  private static final int S = 6;

  /** A 6x6 one-channel image with every pixel different: 0.01 * (row * 6 + column). */
  private static float[] ramp() {
    float[] x = new float[S * S];
    for (int i = 0; i < x.length; i++) {
      x[i] = 0.01f * i;
    }
    return x;
  }

  private static float[] views(RandomViews v, float[] image, float[] draws, float fill) {
    return LayerHarness.run((scope, in) -> {
      Operand<TFloat32> u = scope.tf().constant(new float[][] {draws});
      return v.apply(scope.tf(), in.get(0), u, null, S, fill);
    }, LayerHarness.input(new long[] {1, S, S, 1}, image)).values();
  }

  private static float[] draws(float value) {
    float[] u = new float[RandomViews.DRAWS];
    java.util.Arrays.fill(u, value);
    return u;
  }

  @Test
  void noViewChangeIsTheImageItself() {
    assertArrayEquals(ramp(), views(RandomViews.NONE, ramp(), draws(0.3f), 0f), 1e-6f);
    assertTrue(RandomViews.NONE.isIdentity());
  }

  @Test
  void aFlipMirrorsEachRow() {
    RandomViews flip = new RandomViews(1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0);
    float[] out = views(flip, ramp(), draws(0.5f), 0f);
    for (int r = 0; r < S; r++) {
      for (int c = 0; c < S; c++) {
        assertEquals(0.01f * (r * S + S - 1 - c), out[r * S + c], 1e-6f, "row " + r + " column " + c);
      }
    }
  }

  @Test
  void aCentredHalfCropMagnifiesTheCentre() {
    RandomViews half = new RandomViews(0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    float[] out = views(half, ramp(), draws(0.5f), 0f); // centred: shifts of 0
    // Output pixel (0, 0) at normalised (-5/6, -5/6) reads (-5/12, -5/12): pixel coordinate 1.25 in both axes.
    float expected = bilinear(ramp(), 1.25f, 1.25f);
    assertEquals(expected, out[0], 1e-5f);
    // A half crop of a linear ramp is a ramp with half the slope.
    assertEquals(0.005f, out[1] - out[0], 1e-5f);
  }

  @Test
  void aViewZoomedOutShowsTheFillAroundTheImage() {
    RandomViews out2 = new RandomViews(2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    float[] out = views(out2, ramp(), draws(0.5f), 0.7f);
    assertEquals(0.7f, out[0], 1e-6f); // the corner reads outside the image
    assertNotEquals(0.7f, out[(S / 2) * S + S / 2], 1e-3f);
  }

  @Test
  void erasingSetsARectangleToTheFill() {
    RandomViews erase = new RandomViews(1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0);
    float[] out = views(erase, ramp(), draws(0.5f), 0.9f); // centred rectangle of 3/4 of the side
    assertEquals(0.9f, out[(S / 2) * S + S / 2], 1e-6f);
    assertEquals(0f, out[0], 1e-6f); // the corner is kept
  }

  @Test
  void brightnessAndContrastMoveLevelsAroundTheMean() {
    RandomViews jitter = new RandomViews(1, 1, 0, 0, 0, 0, 0.2, 0.5, 0, 0, 0);
    float[] u = draws(0.5f);
    u[7] = 1f; // brightness +0.2
    u[8] = 1f; // contrast 1.5
    float[] out = views(jitter, ramp(), u, 0f);
    float mean = 0.01f * (S * S - 1) / 2f;
    for (int i = 0; i < out.length; i++) {
      assertEquals((0.01f * i - mean) * 1.5f + mean + 0.2f, out[i], 1e-5f);
    }
  }

  @Test
  void gradientsWithRespectToTheImages() {
    float[] u = {0.3f, 0.7f, 0.2f, 0.9f, 0.4f, 0.6f, 0.2f, 0.8f, 0.1f, 0.1f, 0.5f, 0.5f, 0.5f};
    float[] normal = new float[2 * 5 * 5 * 2];
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    for (int i = 0; i < normal.length; i++) {
      normal[i] = (float) r.nextGaussian();
    }
    // the draws are constants (a random op would draw anew at every run the checker makes)
    GradientChecker.assertGradientsMatch((scope, in) -> RandomViews.STRONG.apply(scope.tf(), in.get(0), scope.tf().constant(new float[][] {u, u}),
        scope.tf().reshape(scope.tf().constant(normal), scope.tf().constant(new long[] {2, 5, 5, 2})), 5, 0.2f), new long[] {2, 4, 4, 2});
  }

  @Test
  void presetsAndOverridesFromAConfig() {
    assertEquals(RandomViews.CROPS, RandomViews.from(ModelConfig.empty(), "views", RandomViews.CROPS));
    assertEquals(RandomViews.STRONG, RandomViews.from(ModelConfig.empty().with("views", "strong"), "views", RandomViews.CROPS));
    RandomViews v = RandomViews.from(ModelConfig.empty().with("views", "light").with("views_rotation", 30.0), "views", RandomViews.NONE);
    assertEquals(30.0, v.rotationDegrees());
    assertEquals(RandomViews.LIGHT.minScale(), v.minScale());
    TesseraException unknown = assertThrows(TesseraException.class,
        () -> RandomViews.from(ModelConfig.empty().with("views", "wild"), "views", RandomViews.NONE));
    assertEquals("views 'wild' is not a preset of random views (crops, light, none, strong)", unknown.getMessage());
    TesseraException range = assertThrows(TesseraException.class,
        () -> RandomViews.from(ModelConfig.empty().with("views_flip", 2.0), "views", RandomViews.NONE));
    assertEquals("view flip must be in [0.0, 1.0], got 2.0", range.getMessage());
    assertEquals(0.6, RandomViews.CROPS.describe("views").get("views_min_scale"));
  }

  private static float bilinear(float[] x, float py, float px) {
    int y0 = (int) Math.floor(py);
    int x0 = (int) Math.floor(px);
    float fy = py - y0;
    float fx = px - x0;
    return (1 - fy) * ((1 - fx) * x[y0 * S + x0] + fx * x[y0 * S + x0 + 1]) + fy * ((1 - fx) * x[(y0 + 1) * S + x0] + fx * x[(y0 + 1) * S + x0 + 1]);
  }
}
