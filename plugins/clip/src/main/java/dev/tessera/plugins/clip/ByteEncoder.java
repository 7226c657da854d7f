package dev.tessera.plugins.clip;

import java.util.Arrays;

/**
 * CLIP's reversible byte <-> character table ({@code bytes_to_unicode()} in OpenAI's
 * {@code simple_tokenizer.py}, inherited from GPT-2). BPE runs on text, so every UTF-8 byte gets a
 * printable character: the 188 bytes that are printable Latin-1 ({@code !..~}, {@code ¡..¬},
 * {@code ®..ÿ}) stand for themselves, the other 68 (controls, space, NBSP, soft hyphen) are moved to
 * U+0100..U+0143 in byte order.
 *
 * <p>The <em>index</em> of a byte is its position in the original's dictionary order (the printable
 * bytes first, then the moved ones). The vocabulary lists the byte characters in that order, so in
 * OpenAI's vocabulary the index is the byte's token id, and index + 256 the id of the byte with
 * {@code </w>}.
 */
final class ByteEncoder {
  static final int SIZE = 256;

  private static final int[] BYTE_OF_INDEX = new int[SIZE];
  private static final int[] INDEX_OF_BYTE = new int[SIZE];
  private static final char[] CHAR_OF_BYTE = new char[SIZE];
  /** Byte of each character U+0000..U+01FF, or -1 when the character is not in the table. */
  private static final int[] BYTE_OF_CHAR = new int[0x200];

  static {
    Arrays.fill(BYTE_OF_CHAR, -1);
    boolean[] printable = new boolean[SIZE];
    int index = 0;
    for (int b = 0; b < SIZE; b++) {
      printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      if (printable[b]) {
        BYTE_OF_INDEX[index++] = b;
        CHAR_OF_BYTE[b] = (char) b;
      }
    }
    int moved = 0;
    for (int b = 0; b < SIZE; b++) {
      if (!printable[b]) {
        BYTE_OF_INDEX[index++] = b;
        CHAR_OF_BYTE[b] = (char) (SIZE + moved++);
      }
    }
    for (int i = 0; i < SIZE; i++) {
      int b = BYTE_OF_INDEX[i];
      INDEX_OF_BYTE[b] = i;
      BYTE_OF_CHAR[CHAR_OF_BYTE[b]] = b;
    }
  }

  private ByteEncoder() {}

  /** The character standing for a byte (only the low 8 bits are used). */
  static char charOfByte(int b) {
    return CHAR_OF_BYTE[b & 0xFF];
  }

  /** The byte character with the given index (0..255), in vocabulary order. */
  static char charOfIndex(int index) {
    return CHAR_OF_BYTE[BYTE_OF_INDEX[index]];
  }

  /** Position of a byte (only the low 8 bits are used) in vocabulary order. */
  static int indexOfByte(int b) {
    return INDEX_OF_BYTE[b & 0xFF];
  }

  /** The byte a character stands for, or -1 when the character is not one of the 256. */
  static int byteOfChar(char c) {
    return c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
  }

  /** The characters standing for the bytes. */
  static String encode(byte[] bytes) {
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = charOfByte(bytes[i]);
    }
    return new String(out);
  }
}
