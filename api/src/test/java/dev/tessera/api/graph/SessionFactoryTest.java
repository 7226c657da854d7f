package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import org.junit.jupiter.api.Test;

class SessionFactoryTest {
  @Test
  void theRemapperIsOffUnlessAskedFor() {
    assertFalse(SessionFactory.remapper(null));
    assertFalse(SessionFactory.remapper(" "));
    assertFalse(SessionFactory.remapper("OFF"));
    assertTrue(SessionFactory.remapper("on"));
    assertTrue(SessionFactory.remapper(" On "));
    assertEquals("TESSERA_REMAPPER must be on or off, got 'yes'",
        assertThrows(TesseraException.class, () -> SessionFactory.remapper("yes")).getMessage());
  }

  @Test
  void theDescriptionNamesTheRemapperSetting() {
    assertTrue(SessionFactory.describe().contains("grappler remapper " + (SessionFactory.remapper(System.getenv("TESSERA_REMAPPER")) ? "on" : "off")),
        SessionFactory.describe());
  }

  @Test
  void theDescriptionSaysWhetherTheNativeKernelsAreLoaded() {
    assertTrue(SessionFactory.describe().contains("native kernels " + dev.tessera.api.graph.NativeOps.status()), SessionFactory.describe());
  }
}
