package dev.tessera.runtime.cli;

import dev.tessera.api.TesseraException;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code tessera} command line. */
@Command(
    name = "tessera",
    mixinStandardHelpOptions = true,
    version = "tessera " + PluginRuntime.API_VERSION,
    description = "Text-to-image on the JVM: every model family is a drop-in plugin.",
    subcommands = {
      PluginsCommand.class,
      PipelinesCommand.class,
      TrainCommand.class,
      WorkerCommand.class,
      GenerateCommand.class,
      ServeCommand.class,
      CompareCommand.class,
      ReconstructCommand.class,
      BenchCommand.class,
      ClassifyCommand.class,
      SimilarityCommand.class,
      RetrievalCommand.class,
      EvaluateCommand.class,
      SetupCommand.class,
      ImportCommand.class,
      TokenizeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class TesseraCli implements Runnable {

  @Option(names = "--plugins-dir", scope = CommandLine.ScopeType.INHERIT,
      description = "Folder of plugin jars (default: $TESSERA_PLUGINS_DIR, else the distribution's plugins/).")
  Path pluginsDir;

  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // No command: the overview, and a failing exit so a script that forgot the command notices.
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "no command given: see the list above, or tessera --help");
  }

  Path pluginsDir() {
    if (pluginsDir != null) {
      return pluginsDir;
    }
    String env = System.getenv(PluginRuntime.ENV_VAR);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    try {
      Path jar = Path.of(TesseraCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path base = Files.isDirectory(jar) ? jar.getParent() : jar.getParent();
      return base.resolve("plugins");
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("plugins");
    }
  }

  PluginRuntime loadPlugins() {
    Path dir = pluginsDir();
    if (!Files.isDirectory(dir)) {
      throw new TesseraException("plugins folder " + dir.toAbsolutePath() + " does not exist (--plugins-dir, $" + PluginRuntime.ENV_VAR
          + "; the distribution's is made by mvn package)");
    }
    return PluginRuntime.load(dir);
  }

  Components components(PluginRuntime plugins) {
    return Components.create(plugins);
  }

  /**
   * A number from the command line: finite (NaN and the infinities are never an option's value, so
   * no flag anywhere can smuggle one in) and, for a float, within float range (1e39 is not
   * infinity). Ranges are the options' own ({@code NumberOption}).
   */
  static double finite(String text) {
    double v;
    try {
      v = Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + text + "' is not a number");
    }
    if (!Double.isFinite(v)) {
      throw new CommandLine.TypeConversionException("'" + text + "' is not a finite number");
    }
    return v;
  }

  static float finiteFloat(String text) {
    double v = finite(text);
    if (Math.abs(v) > Float.MAX_VALUE) {
      throw new CommandLine.TypeConversionException("'" + text + "' is beyond float range");
    }
    return (float) v;
  }

  /**
   * Prints "warning: OLD is deprecated: use NOW" when the command line used an option's deprecated
   * name (kept as an alias of the new one, so both work).
   */
  static void warnIfDeprecatedNameUsed(CommandLine.Model.CommandSpec spec, String old, String now) {
    if (spec.commandLine().getParseResult().originalArgs().stream().anyMatch(a -> a.equals(old) || a.startsWith(old + "="))) {
      spec.commandLine().getErr().println("warning: " + spec.name() + " " + old + " is deprecated: use " + now);
    }
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new TesseraCli());
    cl.registerConverter(Double.class, TesseraCli::finite);
    cl.registerConverter(Double.TYPE, TesseraCli::finite);
    cl.registerConverter(Float.class, TesseraCli::finiteFloat);
    cl.registerConverter(Float.TYPE, TesseraCli::finiteFloat);
    // A bad or missing option: one line naming it, not the whole usage (--help shows that).
    cl.setParameterExceptionHandler((e, args) -> {
      CommandLine c = e.getCommandLine();
      PrintWriter err = c.getErr();
      String msg = e.getMessage() == null ? "invalid arguments" : e.getMessage().strip();
      err.println("error: " + msg.lines().findFirst().orElse(msg) + " (" + c.getCommandSpec().qualifiedName() + " --help for usage)");
      err.flush();
      return 2;
    });
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      TesseraCli root = commandLine.getCommandSpec().root().commandLine().getCommand();
      PrintWriter err = commandLine.getErr();
      if (root.verbose) {
        e.printStackTrace(err);
      }
      String msg = e instanceof TesseraException || e instanceof IllegalArgumentException
          ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      err.println("error: " + msg + (root.verbose ? "" : " (--verbose for details)"));
      err.flush();
      return 1;
    });
    return cl;
  }

  public static int run(String... args) {
    try {
      return commandLine().execute(args);
    } catch (OutOfMemoryError e) {
      // picocli passes Errors through; this one gets a line like every other failure, and the heap is freed by then.
      System.err.println("error: out of memory (Java heap, " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB): use a smaller "
          + "--batch-size or fewer images, or give Java more with TESSERA_JAVA_OPTS=-Xmx16g");
      return 1;
    }
  }

  public static void main(String[] args) {
    Thread preload = NativePreload.startFor(args);
    int exit = run(args);
    NativePreload.awaitBeforeExit(preload);
    System.exit(exit);
  }
}
