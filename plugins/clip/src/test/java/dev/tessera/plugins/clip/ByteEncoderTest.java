package dev.tessera.plugins.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ByteEncoderTest {
  @Test
  void everyByteHasItsOwnPrintableCharacter() {
    Set<Character> seen = new HashSet<>();
    for (int b = 0; b < 256; b++) {
      char c = ByteEncoder.charOfByte(b);
      assertTrue(seen.add(c), "two bytes share " + c);
      assertEquals(b, ByteEncoder.byteOfChar(c));
      assertEquals(c, ByteEncoder.charOfIndex(ByteEncoder.indexOfByte(b)));
      assertTrue(!Character.isWhitespace(c) && !Character.isISOControl(c), "byte " + b + " maps to " + (int) c);
    }
    assertEquals(-1, ByteEncoder.byteOfChar('\u0144'));
    assertEquals(-1, ByteEncoder.byteOfChar(' '));
  }

  @Test
  void theOriginalsOrder() {
    // bytes_to_unicode(): '!'..'~', '¡'..'¬', '®'..'ÿ' as themselves, then the other 68 from U+0100.
    assertEquals('!', ByteEncoder.charOfIndex(0));
    assertEquals('~', ByteEncoder.charOfIndex(93));
    assertEquals('\u00A1', ByteEncoder.charOfIndex(94));
    assertEquals('\u00FF', ByteEncoder.charOfIndex(187));
    assertEquals('\u0100', ByteEncoder.charOfIndex(188));
    assertEquals('\u0100', ByteEncoder.charOfByte(0));
    assertEquals('\u0120', ByteEncoder.charOfByte(' '));
    assertEquals('\u0143', ByteEncoder.charOfIndex(255));
    assertEquals('\u0143', ByteEncoder.charOfByte(0xAD));
    assertEquals("\u00C3\u00A9", ByteEncoder.encode("\u00E9".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
