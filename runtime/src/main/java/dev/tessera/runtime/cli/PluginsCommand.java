package dev.tessera.runtime.cli;

import dev.tessera.runtime.plugin.PluginReport;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tessera plugins}: what loaded, what it provides, and what failed and why. */
@Command(name = "plugins",
    footer = {"", "Examples:",
        "  ./tessera plugins",
        "  ./tessera --plugins-dir my-plugins plugins"}, mixinStandardHelpOptions = true,
    description = "List loaded plugins with their extensions, and plugins that failed with the reason.")
final class PluginsCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (PluginRuntime plugins = root.loadPlugins()) {
      out.println("plugins folder: " + plugins.directory().toAbsolutePath());
      int ok = 0;
      int bad = 0;
      for (PluginReport r : plugins.reports()) {
        String head = r.id() + (r.version() == null || r.version().isEmpty() ? "" : " " + r.version());
        if (r.ok()) {
          ok++;
          out.println("  OK      " + head + "  [" + String.join(", ", r.extensions()) + "]");
        } else {
          bad++;
          String ext = r.extensions().isEmpty() ? "" : "  [" + String.join(", ", r.extensions()) + "]";
          out.println("  " + String.format("%-7s", r.state().equals("STARTED") ? "WARN" : "FAILED") + " " + head + ": " + r.problem() + ext);
        }
      }
      out.println(ok + " plugin(s) loaded, " + bad + " with problems");
      out.println("native kernels (api): " + dev.tessera.api.graph.NativeOps.status());
      out.flush();
      return 0;
    }
  }
}
