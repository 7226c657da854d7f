package dev.tessera.api.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.api.TesseraException;
import org.junit.jupiter.api.Test;

class NumberOptionTest {
  static final NumberOption STEPS = NumberOption.integer("steps", 1, 10_000, "sampling steps");
  static final NumberOption SCALE = NumberOption.real("guidance_scale", 0, 100, "guidance");
  static final NumberOption LR = NumberOption.positive("learning_rate", 10, "step size").withFlag("--lr");

  static String refused(Runnable r) {
    return assertThrows(TesseraException.class, r::run).getMessage();
  }

  @Test
  void inRangeValuesPassThrough() {
    assertEquals(1, STEPS.checkInt(1));
    assertEquals(10_000, STEPS.checkInt(10_000));
    assertEquals(0f, SCALE.checkFloat(0));
    assertEquals(7.5, SCALE.check(7.5));
    assertEquals(10, LR.check(10));
  }

  @Test
  void everythingElseIsRefusedNamingKeyFlagRangeAndValue() {
    assertEquals("steps (--steps, sampling steps) must be an integer in [1, 10000], got 0", refused(() -> STEPS.checkInt(0)));
    assertEquals("steps (--steps, sampling steps) must be an integer in [1, 10000], got -5", refused(() -> STEPS.checkInt(-5)));
    assertEquals("steps (--steps, sampling steps) must be an integer in [1, 10000], got 10001", refused(() -> STEPS.checkLong(10_001)));
    assertEquals("guidance_scale (--guidance-scale, guidance) must be a number in [0, 100], got NaN", refused(() -> SCALE.check(Double.NaN)));
    assertEquals("guidance_scale (--guidance-scale, guidance) must be a number in [0, 100], got Infinity",
        refused(() -> SCALE.check(Double.POSITIVE_INFINITY)));
    assertEquals("guidance_scale (--guidance-scale, guidance) must be a number in [0, 100], got 1.0E39", refused(() -> SCALE.check(1e39)));
    assertEquals("learning_rate (--lr, step size) must be a number in (0, 10], got 0", refused(() -> LR.check(0)));
    assertEquals("learning_rate (--lr, step size) must be a number in (0, 10], got -Infinity", refused(() -> LR.check(Double.NEGATIVE_INFINITY)));
    assertThrows(TesseraException.class, () -> NumberOption.integer("k", 0, 5, "k").check(2.5));
  }
}
