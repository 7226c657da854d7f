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
      TrainCommand.class,
      WorkerCommand.class,
      GenerateCommand.class,
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
    spec.commandLine().usage(spec.commandLine().getOut());
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
    return PluginRuntime.load(pluginsDir());
  }

  Components components(PluginRuntime plugins) {
    return Components.create(plugins);
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new TesseraCli());
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
    return commandLine().execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
