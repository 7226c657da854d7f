package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.spi.Guidance;
import dev.tessera.runtime.cli.fixtures.TinyNoisyBrightnessGuidance;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code generate --classifier-guidance-scale} names no guidance: it stands for the one the plugins register that
 * scores noisy samples, and says so where there is none or more than one.
 */
class ClassifierGuidanceFlagTest {
  private static Guidance clean(String name) {
    return () -> name;
  }

  @Test
  void theOneGuidanceThatScoresNoisySamples() {
    assertEquals("noisy-brightness", GenerateCommand.classifierGuidance(Map.of("clip", clean("clip"), "noisy-brightness",
        new TinyNoisyBrightnessGuidance())));
  }

  @Test
  void noneOrSeveralIsOneLineNamingWhatToDo() {
    TesseraException none = assertThrows(TesseraException.class, () -> GenerateCommand.classifierGuidance(Map.of("clip", clean("clip"))));
    assertTrue(none.getMessage().startsWith("--classifier-guidance-scale: no guidance of the plugins scores noisy samples"), none.getMessage());
    TesseraException two = assertThrows(TesseraException.class, () -> GenerateCommand.classifierGuidance(Map.of("b", new TinyNoisyBrightnessGuidance(),
        "a", new TinyNoisyBrightnessGuidance())));
    assertEquals("--classifier-guidance-scale: 2 guidances score noisy samples (a, b): give --score-guidance NAME --score-guidance-scale X instead",
        two.getMessage());
  }
}
