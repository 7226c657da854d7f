package dev.tessera.plugins.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading the merges file: the shipped one, and clear errors for broken ones. */
class ClipMergesTest {
  static final String SOURCE = "test-merges.txt";
  static List<String> lines;

  @BeforeAll
  static void readShippedLines() throws IOException {
    lines = new ArrayList<>();
    try (InputStream in = new GZIPInputStream(ClipTokenizer.class.getResourceAsStream(ClipTokenizer.MERGES_RESOURCE));
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while (lines.size() <= BytePairEncoder.MERGES && (line = r.readLine()) != null) {
        lines.add(line);
      }
    }
    assertEquals(BytePairEncoder.MERGES + 1, lines.size());
    assertTrue(lines.get(0).contains("#version"), lines.get(0));
  }

  static InputStream stream(List<String> text) {
    return new ByteArrayInputStream((String.join("\n", text) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static TesseraException broken(List<String> text) {
    return assertThrows(TesseraException.class, () -> new ClipTokenizer(stream(text), SOURCE));
  }

  static void assertMentions(TesseraException e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' does not mention '" + p + "'");
    }
  }

  @Test
  void theSameMergesFromAStreamGiveTheSameIds() {
    ClipTokenizer t = new ClipTokenizer(stream(lines), SOURCE);
    assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407}, t.encode("a photo of a cat").ids());
    // Lines after the 48,894th merge are not used, as in the original.
    List<String> more = new ArrayList<>(lines);
    more.add("this line has three");
    assertArrayEquals(t.encode("a diagram").ids(), new ClipTokenizer(stream(more), SOURCE).encode("a diagram").ids());
  }

  @Test
  void anEmptyFile() {
    TesseraException e = assertThrows(TesseraException.class,
        () -> new ClipTokenizer(new ByteArrayInputStream(new byte[0]), SOURCE));
    assertMentions(e, SOURCE, "empty");
  }

  @Test
  void aMissingHeader() {
    TesseraException e = broken(lines.subList(1, lines.size()));
    assertMentions(e, SOURCE, "line 1", "#version", "i n");
  }

  @Test
  void aLineWithThreeSymbols() {
    List<String> text = new ArrayList<>(lines);
    text.set(10, "t h e");
    assertMentions(broken(text), SOURCE, "line 11", "3 symbols", "'t h e'");
  }

  @Test
  void aLineWithOneSymbol() {
    List<String> text = new ArrayList<>(lines);
    text.set(5, "th");
    assertMentions(broken(text), SOURCE, "line 6", "1 symbols");
  }

  @Test
  void anEmptyLine() {
    List<String> text = new ArrayList<>(lines);
    text.set(200, "");
    assertMentions(broken(text), SOURCE, "line 201", "0 symbols");
  }

  @Test
  void aSymbolThatIsNeitherAByteNorAnEarlierMerge() {
    List<String> text = new ArrayList<>(lines);
    text.set(3, "zzz q");
    assertMentions(broken(text), SOURCE, "line 4", "'zzz'", "earlier merge");
  }

  @Test
  void tooFewMerges() {
    TesseraException e = broken(lines.subList(0, 1001));
    assertMentions(e, SOURCE, "has 1000 merges", "48894");
  }

  @Test
  void notUtf8() {
    byte[] head = (lines.get(0) + "\ni n\n").getBytes(StandardCharsets.UTF_8);
    byte[] bad = new byte[head.length + 4];
    System.arraycopy(head, 0, bad, 0, head.length);
    bad[head.length] = (byte) 0xC3; // a lead byte without its continuation
    bad[head.length + 1] = ' ';
    bad[head.length + 2] = 'x';
    bad[head.length + 3] = '\n';
    TesseraException e = assertThrows(TesseraException.class,
        () -> new ClipTokenizer(new ByteArrayInputStream(bad), SOURCE));
    assertMentions(e, SOURCE, "UTF-8");
  }
}
