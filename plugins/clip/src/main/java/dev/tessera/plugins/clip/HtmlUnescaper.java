package dev.tessera.plugins.clip;

import dev.tessera.api.TesseraException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape} (CLIP's tokenizer applies it twice), rule for rule:
 *
 * <ul>
 *   <li>references are {@code &#digits;?}, {@code &#xhex;?} and {@code &name;?} with a name of 1 to
 *       32 characters other than tab, newline, form feed, space, {@code < & # ;};
 *   <li>a name that is not in the HTML5 table is replaced by its longest prefix (of two or more
 *       characters) that is ({@code &notit;} is {@code ¬it;}), else left as it is;
 *   <li>numeric references follow the HTML5 parsing rules: 0x80..0x9F as Windows-1252, 0 and
 *       surrogates and anything above U+10FFFF become U+FFFD, control characters and
 *       non-characters are dropped.
 * </ul>
 *
 * <p>The named references are in {@code html5-entities.tsv}, exported from Python's
 * {@code html.entities.html5} (the WHATWG table).
 */
final class HtmlUnescaper {
  static final String ENTITIES_RESOURCE = "html5-entities.tsv";

  private static final Pattern REFERENCE =
      Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

  /** Numeric references the HTML5 standard maps elsewhere (0x80..0x9F: Windows-1252). */
  private static final Map<Integer, String> INVALID_REFERENCES = new HashMap<>();

  static {
    INVALID_REFERENCES.put(0x00, "\uFFFD");
    INVALID_REFERENCES.put(0x0D, "\r");
    String cp1252 = "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F"
        + "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";
    for (int i = 0; i < 32; i++) {
      INVALID_REFERENCES.put(0x80 + i, String.valueOf(cp1252.charAt(i)));
    }
  }

  private HtmlUnescaper() {}

  /** Loaded on first use. */
  private static final class Named {
    static final Map<String, String> TABLE = load();

    private static Map<String, String> load() {
      Map<String, String> table = new HashMap<>(4096);
      try (InputStream in = HtmlUnescaper.class.getResourceAsStream(ENTITIES_RESOURCE)) {
        if (in == null) {
          throw new TesseraException("the CLIP plugin has no resource " + ENTITIES_RESOURCE);
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int number = 0;
        while ((line = r.readLine()) != null) {
          number++;
          if (line.isEmpty() || line.startsWith("#")) {
            continue;
          }
          int tab = line.indexOf('\t');
          if (tab <= 0) {
            throw new TesseraException(ENTITIES_RESOURCE + ": line " + number + " is not 'name<TAB>code points'");
          }
          StringBuilder value = new StringBuilder();
          for (String hex : line.substring(tab + 1).trim().split(" ")) {
            value.appendCodePoint(Integer.parseInt(hex, 16));
          }
          table.put(line.substring(0, tab), value.toString());
        }
      } catch (IOException | IllegalArgumentException e) {
        throw new TesseraException("cannot read " + ENTITIES_RESOURCE + " of the CLIP plugin: " + e.getMessage(), e);
      }
      return table;
    }
  }

  static String unescape(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    Matcher m = REFERENCE.matcher(s);
    StringBuilder out = new StringBuilder(s.length());
    int last = 0;
    while (m.find()) {
      out.append(s, last, m.start()).append(replace(m.group(1)));
      last = m.end();
    }
    return out.append(s, last, s.length()).toString();
  }

  private static String replace(String ref) {
    if (ref.charAt(0) == '#') {
      boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
      int end = ref.endsWith(";") ? ref.length() - 1 : ref.length();
      long num = parse(ref, hex ? 2 : 1, end, hex ? 16 : 10);
      String invalid = INVALID_REFERENCES.get((int) Math.min(num, Integer.MAX_VALUE));
      if (invalid != null) {
        return invalid;
      }
      if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
        return "\uFFFD";
      }
      if (isInvalidCodePoint((int) num)) {
        return "";
      }
      return new String(Character.toChars((int) num));
    }
    Map<String, String> named = Named.TABLE;
    String value = named.get(ref);
    if (value != null) {
      return value;
    }
    for (int x = ref.length() - 1; x > 1; x--) {
      value = named.get(ref.substring(0, x));
      if (value != null) {
        return value + ref.substring(x);
      }
    }
    return "&" + ref;
  }

  /** The number, or anything above U+10FFFF when it is larger (Python's ints do not overflow). */
  private static long parse(String s, int from, int to, int radix) {
    long num = 0;
    for (int i = from; i < to; i++) {
      num = num * radix + Character.digit(s.charAt(i), radix);
      if (num > 0x10FFFF) {
        return 0x110000;
      }
    }
    return num;
  }

  /** Control characters and non-characters a numeric reference may not produce. */
  private static boolean isInvalidCodePoint(int cp) {
    return (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F)
        || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
  }
}
