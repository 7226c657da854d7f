package dev.tessera.plugins.clip;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits cleaned text into the pieces BPE runs on, as {@code regex.findall} does with CLIP's pattern
 * <pre>{@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}</pre>
 * compiled with {@code IGNORECASE}. At each position the first alternative that matches wins: a
 * special token, a contraction (an ASCII apostrophe and the suffix), a run of letters, one number
 * character, or a run of anything else that is not whitespace. Whitespace separates pieces and is
 * dropped.
 *
 * <p>Written out by hand (rather than with {@code java.util.regex}) to match the {@code regex}
 * module exactly: {@code \s} is Unicode White_Space; under {@code IGNORECASE} the literals also
 * match their case variants, which after lower-casing leaves only U+017F (long s) matching
 * {@code s}; and U+0345 (combining ypogegrammeni, which case-folds to a letter) matches neither
 * {@code \p{L}} nor {@code [^\s\p{L}\p{N}]}, so, like whitespace, it is dropped. Letters and numbers
 * are the JVM's general categories L* and N*.
 */
final class ClipPreTokenizer {
  static final String START_TEXT = "<|startoftext|>";
  static final String END_TEXT = "<|endoftext|>";
  private static final String[] CONTRACTIONS = {"s", "t", "re", "ve", "m", "ll", "d"};
  private static final int YPOGEGRAMMENI = 0x0345;

  private ClipPreTokenizer() {}

  static List<String> split(String text) {
    List<String> pieces = new ArrayList<>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      if (isSkipped(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      int end = matchAt(text, i, cp);
      pieces.add(text.substring(i, end));
      i = end;
    }
    return pieces;
  }

  /** End of the piece that starts at {@code i} (whose code point is {@code cp}, not skipped). */
  private static int matchAt(String text, int i, int cp) {
    if (cp == '<') {
      int end = literalEnd(text, i, START_TEXT);
      if (end < 0) {
        end = literalEnd(text, i, END_TEXT);
      }
      if (end >= 0) {
        return end;
      }
    }
    if (cp == '\'') {
      for (String suffix : CONTRACTIONS) {
        int end = literalEnd(text, i + 1, suffix);
        if (end >= 0) {
          return end;
        }
      }
    }
    int n = text.length();
    if (isLetter(cp)) {
      int j = i + Character.charCount(cp);
      while (j < n) {
        int c = text.codePointAt(j);
        if (!isLetter(c)) {
          break;
        }
        j += Character.charCount(c);
      }
      return j;
    }
    if (isNumber(cp)) {
      return i + Character.charCount(cp);
    }
    int j = i + Character.charCount(cp);
    while (j < n) {
      int c = text.codePointAt(j);
      if (isSkipped(c) || isLetter(c) || isNumber(c)) {
        break;
      }
      j += Character.charCount(c);
    }
    return j;
  }

  /** End of {@code literal} matched case-insensitively at {@code i}, or -1. */
  private static int literalEnd(String text, int i, String literal) {
    if (i + literal.length() > text.length()) {
      return -1;
    }
    for (int k = 0; k < literal.length(); k++) {
      char c = text.charAt(i + k);
      char l = literal.charAt(k);
      if (c != l && !(c < 0x80 && Character.toLowerCase(c) == l) && !(l == 's' && c == '\u017F')) {
        return -1;
      }
    }
    return i + literal.length();
  }

  private static boolean isSkipped(int cp) {
    return ClipTextCleaner.isWhiteSpace(cp) || cp == YPOGEGRAMMENI;
  }

  static boolean isLetter(int cp) {
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER:
      case Character.LOWERCASE_LETTER:
      case Character.TITLECASE_LETTER:
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
        return true;
      default:
        return false;
    }
  }

  static boolean isNumber(int cp) {
    switch (Character.getType(cp)) {
      case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
        return true;
      default:
        return false;
    }
  }
}
