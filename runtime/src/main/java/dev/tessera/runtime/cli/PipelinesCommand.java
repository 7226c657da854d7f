package dev.tessera.runtime.cli;

import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tessera pipelines}: every pipeline generate and compare can run, with what it does and its options. */
@Command(name = "pipelines",
    footer = {"", "Examples:",
        "  ./tessera pipelines"}, mixinStandardHelpOptions = true,
    description = "List the pipelines generate and compare run (each a plugin brings), with their options.")
final class PipelinesCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (PluginRuntime plugins = root.loadPlugins()) {
      var components = root.components(plugins);
      Pipelines.descriptions(components).forEach((name, description) -> {
        out.println(name + "  (plugin " + plugins.owner(dev.tessera.api.pipeline.PipelineProvider.class, name) + ")");
        description.lines().forEach(l -> out.println("    " + l.strip()));
      });
      components.pipelines().conflicts().forEach((name, why) -> out.println("WARN  pipeline '" + name + "' cannot be used: " + why));
      out.println("Options: --option KEY=VALUE, a pipeline file's keys, or generate's flags of the same name (--steps, --guidance-scale, ...).");
      out.flush();
      return 0;
    }
  }
}
