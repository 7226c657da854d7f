package dev.tessera.plugins.clip;

/**
 * UTF-8 to text with a U+FFFD for each maximal ill-formed subpart (Unicode's recommended practice,
 * what Python's {@code bytes.decode('utf-8', errors='replace')} does). The JDK's decoder sometimes
 * replaces a whole ill-formed sequence with one U+FFFD (E0 80 80, for one), so decoding token ids
 * that split characters would not match the original.
 */
final class Utf8Decoder {
  private static final char REPLACEMENT = '\uFFFD';

  private Utf8Decoder() {}

  static String decode(byte[] bytes, int length) {
    StringBuilder out = new StringBuilder(length);
    int i = 0;
    while (i < length) {
      int b0 = bytes[i] & 0xFF;
      if (b0 < 0x80) {
        out.append((char) b0);
        i++;
        continue;
      }
      int size;
      int lo = 0x80;
      int hi = 0xBF;
      if (b0 >= 0xC2 && b0 <= 0xDF) {
        size = 2;
      } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        size = 3;
        if (b0 == 0xE0) {
          lo = 0xA0; // no overlong forms
        } else if (b0 == 0xED) {
          hi = 0x9F; // no surrogates
        }
      } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        size = 4;
        if (b0 == 0xF0) {
          lo = 0x90;
        } else if (b0 == 0xF4) {
          hi = 0x8F; // nothing above U+10FFFF
        }
      } else {
        out.append(REPLACEMENT); // a continuation byte, C0, C1 or F5..FF
        i++;
        continue;
      }
      int cp = b0 & (0xFF >> (size + 1));
      int j = i + 1;
      boolean ok = true;
      for (int k = 1; k < size; k++, j++) {
        int b = j < length ? bytes[j] & 0xFF : -1;
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (b & 0x3F);
      }
      if (ok) {
        out.appendCodePoint(cp);
      } else {
        out.append(REPLACEMENT); // the bytes up to j are one maximal ill-formed subpart
      }
      i = j;
    }
    return out.toString();
  }
}
