package dev.tessera.runtime.embed;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tessera from a Java program: load a plugins folder once, then generate with any pipeline it
 * offers, the runtime's or a plugin's, in a few lines and without TensorFlow types.
 *
 * <pre>{@code
 * try (Tessera tessera = Tessera.open(Path.of("plugins"))) {
 *   Images images = tessera.pipeline("clip-diffusion")
 *       .option("scheduler", "dpm-solver++").option("steps", 20)
 *       .generate("a photo of a bag", 4, 1);
 *   images.save(Path.of("out/bags"));
 * }
 * }</pre>
 *
 * Options are a pipeline file's keys ({@code steps}, {@code guidance_scale}, {@code weights},
 * {@code candidates}, ..., or a plugin pipeline's own), checked exactly as a file's are: the same
 * images for the same seed and settings as {@code ./tessera generate}. For composition below the
 * pipeline (graphs, gradients through several parts), {@link #components()} gives every part by name.
 */
public final class Tessera implements AutoCloseable {
  private final PluginRuntime plugins;
  private final Components components;

  private Tessera(PluginRuntime plugins) {
    this.plugins = plugins;
    this.components = Components.create(plugins);
  }

  /** Loads every plugin of {@code pluginsDir} (jars, zips, folders), as {@code --plugins-dir} does. */
  public static Tessera open(Path pluginsDir) {
    if (!Files.isDirectory(pluginsDir)) {
      throw new TesseraException("plugins folder " + pluginsDir.toAbsolutePath() + " does not exist");
    }
    PluginRuntime plugins = PluginRuntime.load(pluginsDir);
    try {
      return new Tessera(plugins);
    } catch (RuntimeException e) {
      plugins.close();
      throw e;
    }
  }

  /** Every pipeline by name with what it does (and a plugin pipeline's options). */
  public Map<String, String> pipelines() {
    return Pipelines.descriptions(components);
  }

  /** A pipeline by name, with its defaults; set options on it, then generate or open it. */
  public PipelineRequest pipeline(String name) {
    return new PipelineRequest(components, ModelConfig.empty().with("pipeline", name), Path.of("").toAbsolutePath(),
        "Tessera.pipeline(\"" + name + "\")");
  }

  /** A pipeline file, as {@code generate --pipeline-file}; options set on it override its keys. */
  public PipelineRequest pipelineFile(Path file) {
    return new PipelineRequest(components, ModelConfig.read(file), file.toAbsolutePath().getParent(), file.toString());
  }

  /**
   * Re-ranking by a CLIP model ("clip", "clip:twemoji"): its shipped weights' image and text
   * towers score candidates against a prompt. Close it.
   */
  public Ranker ranker(String clipModel) {
    return new Ranker(new dev.tessera.api.pipeline.EmbeddingPipeline(components,
        dev.tessera.api.pipeline.ReferencedWeights.shipped(components, clipModel), 256, "cpu"), clipModel);
  }

  /** Every loaded part by name, for composing graphs by hand. */
  public Components components() {
    return components;
  }

  @Override
  public void close() {
    plugins.close();
  }
}
