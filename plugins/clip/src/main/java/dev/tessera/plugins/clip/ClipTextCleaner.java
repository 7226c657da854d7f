package dev.tessera.plugins.clip;

/**
 * CLIP's text clean-up before pre-tokenizing, as {@code simple_tokenizer.py} does it:
 * {@code whitespace_clean(basic_clean(text)).lower()}, that is HTML-unescape twice
 * ({@link HtmlUnescaper}), strip, replace every whitespace run by one space, strip, lower-case
 * (as Python does it, see {@link #lower}).
 * The two notions of whitespace are Python's: {@code str.strip()} uses {@code str.isspace()}, the
 * collapsing uses the {@code regex} module's {@code \s} (Unicode White_Space), which leaves out the
 * information separators U+001C..U+001F.
 *
 * <p><b>Not reproduced: {@code ftfy.fix_text}</b>, the first step of the original, a Python library
 * with no JVM port. It is not only a mojibake repair (UTF-8 read as Latin-1 or Windows-1252, such
 * as "Ã©" for "é"): with its defaults it also straightens curly quotes and apostrophes, spells out
 * Latin ligatures ("ﬁ"), turns full-width characters into ASCII, replaces C1 controls, removes
 * other control characters and terminal escapes, NFC-normalises, and unescapes HTML entities once
 * more when the text has no {@code <}. Text that needs none of those fixes (most prompts: printable
 * ASCII, or well-formed NFC Unicode with straight quotes) gets exactly the ids of OpenAI's
 * tokenizer; text that ftfy would change (for example "don’t" with U+2019, "café" with a
 * combining accent, "ＡＢＣ", or "&amp;amp;amp;") gets the ids of the text as it is, which is what
 * the original gives with {@code fix_text} as the identity.
 */
final class ClipTextCleaner {
  private ClipTextCleaner() {}

  static String clean(String text) {
    String t = HtmlUnescaper.unescape(HtmlUnescaper.unescape(text));
    t = strip(t);
    t = collapseWhitespace(t);
    t = strip(t);
    return lower(t);
  }

  /**
   * Python's {@code str.lower()}: the full lower-case mapping of each character, and a capital
   * sigma becomes final ({@code ς}) when a cased character precedes it and none follows, skipping
   * case-ignorable characters both ways (Unicode's Final_Sigma condition, which Python applies
   * literally). Java's {@code toLowerCase} decides final sigma by word boundaries instead, which
   * differs for "ΑΣ.Α" or "ΑΣ'" for example.
   */
  static String lower(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (cp == 0x03A3) {
        out.append(isFinalSigma(s, i) ? '\u03C2' : '\u03C3');
      } else if (cp == 0x0130) {
        out.append("i\u0307"); // the one unconditional multi-character lower-case mapping
      } else {
        out.appendCodePoint(Character.toLowerCase(cp));
      }
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  private static boolean isFinalSigma(String s, int index) {
    int j = index;
    int before = -1;
    while (j > 0) {
      int c = s.codePointBefore(j);
      j -= Character.charCount(c);
      if (!isCaseIgnorable(c)) {
        before = c;
        break;
      }
    }
    if (before < 0 || !isCased(before)) {
      return false;
    }
    for (j = index + 1; j < s.length(); ) {
      int c = s.codePointAt(j);
      if (!isCaseIgnorable(c)) {
        return !isCased(c);
      }
      j += Character.charCount(c);
    }
    return true;
  }

  /** Unicode's Cased: Lowercase, Uppercase or titlecase letter. */
  static boolean isCased(int cp) {
    return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
  }

  /** Unicode's Case_Ignorable: marks, format characters, modifiers, and the word-internal punctuation. */
  static boolean isCaseIgnorable(int cp) {
    switch (Character.getType(cp)) {
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.FORMAT:
      case Character.MODIFIER_LETTER:
      case Character.MODIFIER_SYMBOL:
        return true;
      default:
        break;
    }
    switch (cp) {
      // Word_Break MidLetter, MidNumLet and Single_Quote
      case 0x0027: case 0x002E: case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4:
      case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55:
      case 0xFF07: case 0xFF0E: case 0xFF1A:
        return true;
      default:
        return false;
    }
  }

  /** Python's {@code str.strip()}. */
  static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isPythonSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isPythonSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /** {@code regex.sub(r'\s+', ' ', s)}. */
  static String collapseWhitespace(String s) {
    StringBuilder out = null;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (isWhiteSpace(c)) {
        int j = i + 1;
        while (j < n && isWhiteSpace(s.charAt(j))) {
          j++;
        }
        if (out == null) {
          if (c == ' ' && j == i + 1) {
            continue; // a single space stays as it is
          }
          out = new StringBuilder(n).append(s, 0, i);
        }
        out.append(' ');
        i = j - 1;
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }

  /**
   * Unicode's White_Space property, which is what {@code \s} matches in Python's {@code regex}
   * module. All of them are in the BMP.
   */
  static boolean isWhiteSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
        || cp == 0x3000;
  }

  /** Python's {@code str.isspace()}: White_Space and the information separators U+001C..U+001F. */
  static boolean isPythonSpace(int cp) {
    return isWhiteSpace(cp) || (cp >= 0x1C && cp <= 0x1F);
  }
}
