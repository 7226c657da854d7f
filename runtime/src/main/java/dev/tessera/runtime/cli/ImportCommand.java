package dev.tessera.runtime.cli;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.OutputFolder;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tessera import}: converts weights from another framework's files already on disk. */
@Command(name = "import",
    footer = {"", "Examples:",
        "  ./tessera import --model clip --input hf-clip-folder --output-dir runs/imported-clip   # a Hugging Face CLIP folder (config.json + model.safetensors)"}, mixinStandardHelpOptions = true,
    description = "Convert weights saved by another framework (e.g. a Hugging Face CLIPModel folder) into a Tessera weights folder.")
final class ImportCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model name, e.g. clip.")
  String model;

  @Option(names = "--format", defaultValue = "huggingface", description = "Source format. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--input", required = true, description = "Folder with the source files.")
  Path input;

  @Option(names = "--output-dir", required = true, description = "Where config.json + model.safetensors go (new or empty; see --overwrite).")
  Path outputDir;

  @picocli.CommandLine.Mixin OverwriteOption overwrite = new OverwriteOption();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    OutputFolder output = overwrite.folder(outputDir, "--output-dir", ModelWeights.FILES).notOverlapping(input, "--input").check();
    try (PluginRuntime plugins = root.loadPlugins()) {
      ModelWeights w = root.components(plugins).model(model).importWeights(input, format);
      w.save(output.prepare());
      out.printf(Locale.ROOT, "imported %d tensors (%.1f MB) into %s; use it with --weights %s%n",
          w.parameters().size(), w.parameters().byteSize() / 1e6, outputDir.toAbsolutePath(), outputDir);
      out.flush();
      return 0;
    }
  }
}
