package dev.tessera.runtime.cli;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.runtime.plugin.Components;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of every command that runs a trained model: which weights, on which device. */
final class WeightsOptions {
  @Option(names = "--weights", description = "Folder with config.json + model.safetensors (default: the plugin's shipped weights).")
  Path weights;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (soft placement). Default: ${DEFAULT-VALUE}.")
  String device;

  /** The --weights folder, else the weights the model's plugin ships. */
  ModelWeights load(Components components, String model) {
    if (weights != null) {
      return dev.tessera.api.pipeline.ReferencedWeights.complete(ModelWeights.load(weights), components);
    }
    return dev.tessera.api.pipeline.ReferencedWeights.shipped(components, model);
  }
}
