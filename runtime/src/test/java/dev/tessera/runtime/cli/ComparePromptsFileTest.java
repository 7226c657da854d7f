package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.runtime.evaluation.PromptLabels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare --prompts FILE}: comments, classes given with =>, and one-line errors naming the line. */
class ComparePromptsFileTest {
  @TempDir Path tmp;

  @Test
  void promptsWithAndWithoutAGivenClass() throws Exception {
    Path f = Files.writeString(tmp.resolve("p.txt"), "# held-out words\na zori => sandal\n\n  a photo of a bag  \n");
    assertEquals(List.of(new PromptLabels.Labelled("a zori", 5), new PromptLabels.Labelled("a photo of a bag", -1)),
        CompareCommand.readPrompts(f));
  }

  @Test
  void badLinesAreNamed() throws Exception {
    Path f = Files.writeString(tmp.resolve("p.txt"), "a zori => sandal\na parka => anorak\n");
    String m = assertThrows(TesseraException.class, () -> CompareCommand.readPrompts(f)).getMessage();
    assertTrue(m.startsWith("--prompts: " + f + " line 2: 'anorak' after => is not a class name"), m);
    Files.writeString(f, "a bag\na bag => bag\n");
    m = assertThrows(TesseraException.class, () -> CompareCommand.readPrompts(f)).getMessage();
    assertTrue(m.endsWith("line 2: 'a bag' is listed twice"), m);
    Files.writeString(f, "# nothing\n");
    assertTrue(assertThrows(TesseraException.class, () -> CompareCommand.readPrompts(f)).getMessage().contains("holds no prompts"));
  }
}
