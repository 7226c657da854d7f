package dev.tessera.runtime.cli;

import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tessera pipelines}: every pipeline generate and compare can run, with what it does and its options. */
@Command(name = "pipelines", mixinStandardHelpOptions = true,
    description = "List the pipelines generate and compare run: the runtime's own and those plugins bring, with their options.")
final class PipelinesCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (PluginRuntime plugins = root.loadPlugins()) {
      var components = root.components(plugins);
      Pipelines.descriptions(components).forEach((name, description) -> {
        String from = Pipelines.isBuiltIn(name) ? "runtime; settings: the flags of generate"
            : "plugin " + plugins.owner(dev.tessera.api.pipeline.PipelineProvider.class, name) + "; options: --option KEY=VALUE or pipeline-file keys";
        out.println(name + "  (" + from + ")");
        description.lines().forEach(l -> out.println("    " + l.strip()));
      });
      components.pipelines().all().keySet().stream().filter(Pipelines::isBuiltIn).forEach(name -> out.println("WARN  plugin "
          + plugins.owner(dev.tessera.api.pipeline.PipelineProvider.class, name) + " brings a pipeline '" + name
          + "', hidden by the runtime's pipeline of that name: rename it to use it"));
      out.flush();
      return 0;
    }
  }
}
