package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md's option reference is the picocli model's: this test writes it from the commands and
 * fails when the file differs. {@code -Dtessera.updateDocs=true} rewrites the block instead.
 */
class CliReferenceTest {
  static final String BEGIN = "<!-- options: written by CliReferenceTest from the commands; do not edit by hand -->";
  static final String END = "<!-- end of options -->";

  @Test
  void docsCliMdListsEveryCommandsOptionsAsTheCommandsDeclareThem() throws Exception {
    Path file = Path.of("..", "docs", "cli.md");
    String text = Files.readString(file);
    int from = text.indexOf(BEGIN);
    int to = text.indexOf(END);
    assertTrue(from >= 0 && to > from, "docs/cli.md has no generated block");
    String expected = reference();
    String actual = text.substring(from + BEGIN.length(), to);
    if (!expected.equals(actual) && Boolean.getBoolean("tessera.updateDocs")) {
      Files.writeString(file, text.substring(0, from + BEGIN.length()) + expected + text.substring(to));
      return;
    }
    assertEquals(expected, actual, "docs/cli.md's option reference is out of date: run this test with -Dtessera.updateDocs=true");
  }

  /**
   * docs/cli.md's rule: a command's subject may be positional (train MODEL, tokenize TEXT, setup
   * DATASET), and then the option of the same name (--model, --text, --dataset) gives it too.
   */
  @Test
  void everyPositionalSubjectHasItsOption() {
    int positionals = 0;
    for (Map.Entry<String, CommandLine> e : TesseraCli.commandLine().getSubcommands().entrySet()) {
      CommandLine.Model.CommandSpec spec = e.getValue().getCommandSpec();
      for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
        if (e.getValue().getCommand() instanceof CommandLine.HelpCommand) {
          continue;
        }
        positionals++;
        String flag = "--" + p.paramLabel().toLowerCase(java.util.Locale.ROOT);
        assertTrue(spec.findOption(flag) != null, e.getKey() + " " + p.paramLabel() + " has no " + flag);
        assertEquals(0, p.arity().min(), e.getKey() + " " + p.paramLabel() + " must be optional when " + flag + " gives it");
      }
    }
    assertEquals(3, positionals, "train MODEL, tokenize TEXT, setup DATASET");
  }

  /** One table per command (by name): option names, default, description (its "Default: ..." left out). */
  static String reference() {
    CommandLine root = TesseraCli.commandLine();
    StringBuilder b = new StringBuilder("\n");
    Map<String, CommandLine> commands = new TreeMap<>(root.getSubcommands());
    for (Map.Entry<String, CommandLine> e : commands.entrySet()) {
      if (e.getValue().getCommand() instanceof CommandLine.HelpCommand) {
        continue;
      }
      CommandLine.Model.CommandSpec spec = e.getValue().getCommandSpec();
      b.append("\n### ").append(e.getKey()).append("\n\n").append(String.join(" ", spec.usageMessage().description())).append("\n\n");
      for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
        b.append("Positional: `").append(p.paramLabel()).append("`: ").append(clean(String.join(" ", p.description()))).append("\n\n");
      }
      b.append("| option | default | meaning |\n|---|---|---|\n");
      for (CommandLine.Model.OptionSpec o : spec.options()) {
        if (o.usageHelp() || o.versionHelp()) {
          continue;
        }
        String names = String.join(", ", java.util.Arrays.stream(o.names()).map(n -> "`" + n + "`").toList());
        String def = o.defaultValue() == null ? "" : "`" + o.defaultValue() + "`";
        b.append("| ").append(names).append(" | ").append(def).append(" | ").append(clean(String.join(" ", o.description()))).append(" |\n");
      }
    }
    return b.append("\n").toString();
  }

  private static String clean(String description) {
    // The default has its own column: "Default: ..." (picocli's interpolated ${DEFAULT-VALUE}) ends a description.
    int at = description.lastIndexOf("Default: ");
    return (at >= 0 ? description.substring(0, at) : description).replace("|", "\\|").strip();
  }
}
