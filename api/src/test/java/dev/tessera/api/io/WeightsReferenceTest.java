package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import org.junit.jupiter.api.Test;

class WeightsReferenceTest {
  @Test
  void aModelAloneOrWithAVariant() {
    WeightsReference plain = WeightsReference.parse("clip");
    assertEquals("clip", plain.model());
    assertNull(plain.variant());
    assertEquals("clip", plain.toString());
    WeightsReference twemoji = WeightsReference.parse("clip:twemoji");
    assertEquals("clip", twemoji.model());
    assertEquals("twemoji", twemoji.variant());
    assertEquals("clip:twemoji", twemoji.toString());
    assertEquals(twemoji, WeightsReference.parse(twemoji.toString()));
  }

  @Test
  void malformedReferencesAreRefusedSayingWhatIsExpected() {
    for (String bad : new String[] {"", " ", "clip:", ":twemoji", "clip:a:b", "CLIP", "clip:Twemoji", "../clip", "clip:../x"}) {
      TesseraException e = assertThrows(TesseraException.class, () -> WeightsReference.parse(bad), bad);
      assertTrue(e.getMessage().contains("MODEL") || e.getMessage().contains("name"), e.getMessage());
    }
    assertThrows(TesseraException.class, () -> WeightsReference.parse(null));
  }
}
