package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help ends with examples, and every example parses against the command it shows: they cannot drift. */
class CliExamplesTest {
  @Test
  void everyCommandsHelpEndsWithExamplesThatParse() {
    CommandLine root = TesseraCli.commandLine();
    List<String> checked = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
      if (e.getValue().getCommand() instanceof CommandLine.HelpCommand) {
        continue;
      }
      String help = e.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
      int at = help.lastIndexOf("Examples:");
      assertTrue(at > 0, e.getKey() + "'s help has no examples:\n" + help);
      // The footer as written (the help wraps long lines).
      List<String> examples = java.util.Arrays.stream(e.getValue().getCommandSpec().usageMessage().footer()).map(String::strip)
          .filter(l -> l.contains("./tessera ")).toList();
      assertTrue(!examples.isEmpty(), e.getKey() + ": no example lines");
      for (String example : examples) {
        List<String> args = words(example.substring(example.indexOf("./tessera") + "./tessera".length()));
        assertTrue(args.contains(e.getKey()), example + " does not run '" + e.getKey() + "'");
        assertDoesNotThrow(() -> TesseraCli.commandLine().parseArgs(args.toArray(String[]::new)), example);
        checked.add(example);
      }
    }
    assertTrue(checked.size() >= root.getSubcommands().size() - 1, "examples checked: " + checked);
  }

  /** The line's words as a shell would split them (double quotes group), up to a '#' comment. */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
        any = true;
      } else if (!quoted && c == '#' && w.length() == 0) {
        break;
      } else if (!quoted && Character.isWhitespace(c)) {
        if (any) {
          out.add(w.toString());
          w.setLength(0);
          any = false;
        }
      } else {
        w.append(c);
        any = true;
      }
    }
    if (any) {
      out.add(w.toString());
    }
    return out;
  }
}
