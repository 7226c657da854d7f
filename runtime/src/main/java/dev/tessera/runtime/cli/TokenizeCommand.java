package dev.tessera.runtime.cli;

import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.TokenIds;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tessera tokenize}: the token ids of a text, start and end tokens included, as one JSON array. */
@Command(name = "tokenize",
    footer = {"", "Examples:",
        "  ./tessera tokenize \"a photo of a cat\"",
        "  ./tessera tokenize --truncate \"a very long text ...\""}, mixinStandardHelpOptions = true,
    description = "Print the token ids of a text (with the start and end tokens) as one JSON array.")
final class TokenizeCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--tokenizer", defaultValue = "clip", description = "Tokenizer name. Default: ${DEFAULT-VALUE}.")
  String tokenizer;

  @Option(names = "--truncate",
      description = "Cut a text longer than the tokenizer's context to fit, keeping the end token (default: an error).")
  boolean truncate;

  @Parameters(arity = "0..*", paramLabel = "TEXT", description = "The text; several arguments are joined with spaces; or --text.")
  List<String> words;

  @Option(names = "--text", paramLabel = "TEXT", description = "The text, as the positional TEXT.")
  String textOption;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String text = Flags.subject(spec.commandLine(), words == null || words.isEmpty() ? null : String.join(" ", words), textOption, "--text", "TEXT");
    try (PluginRuntime plugins = root.loadPlugins()) {
      Tokenizer t = root.components(plugins).tokenizer(tokenizer);
      TokenIds ids;
      try {
        ids = t.encodeBatch(List.of(text), truncate).get(0);
      } catch (IllegalArgumentException e) {
        throw truncate ? e : new IllegalArgumentException(e.getMessage() + " (--truncate)", e);
      }
      StringBuilder json = new StringBuilder("[");
      for (int i = 0; i < ids.length(); i++) {
        json.append(i == 0 ? "" : ",").append(ids.get(i));
      }
      out.println(json.append(']'));
      out.flush();
      return 0;
    }
  }
}
