package dev.tessera.api.io;

import dev.tessera.api.TesseraException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A trained model on disk: {@code DIR/config.json} + {@code DIR/model.safetensors}, the layout
 * of Hugging Face model folders. Plugins ship defaults inside their jar under
 * {@code tessera/weights/<plugin>/<name>/}.
 */
public record ModelWeights(ModelConfig config, Parameters parameters) {
  public static final String CONFIG_FILE = "config.json";
  public static final String WEIGHTS_FILE = "model.safetensors";
  /** The files {@link #save} writes, and the temporary files a killed save leaves (for {@link OutputFolder}). */
  public static final java.util.List<String> FILES = java.util.List.of(CONFIG_FILE, WEIGHTS_FILE, CONFIG_FILE + ".tmp-*",
      WEIGHTS_FILE + ".tmp-*");
  /**
   * Config key: {model name -> fingerprint} of other models whose shipped weights hold tensors this
   * file leaves out (frozen pretrained parts, e.g. a CLIP text tower), so files stay small. The
   * runtime fills them in from those models and checks the fingerprints.
   */
  public static final String WEIGHTS_FROM_KEY = "weights_from";

  public static ModelWeights load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new TesseraException(dir + ": weights directory not found (expected " + CONFIG_FILE + " and " + WEIGHTS_FILE + ")");
    }
    Path config = dir.resolve(CONFIG_FILE);
    Path weights = dir.resolve(WEIGHTS_FILE);
    for (Path p : new Path[] {config, weights}) {
      if (!Files.isRegularFile(p)) {
        throw new TesseraException(p + ": missing");
      }
    }
    return new ModelWeights(ModelConfig.read(config), Parameters.load(weights));
  }

  /** Loads from a class loader's resources, {@code prefix/config.json} and {@code prefix/model.safetensors}. */
  public static ModelWeights loadResource(ClassLoader loader, String prefix) {
    try (InputStream c = loader.getResourceAsStream(prefix + "/" + CONFIG_FILE);
        InputStream w = loader.getResourceAsStream(prefix + "/" + WEIGHTS_FILE)) {
      if (c == null || w == null) {
        throw new TesseraException("no shipped weights at resource '" + prefix + "'");
      }
      return new ModelWeights(
          ModelConfig.read(c, prefix + "/" + CONFIG_FILE), Parameters.load(w, prefix + "/" + WEIGHTS_FILE));
    } catch (IOException e) {
      throw new TesseraException("cannot read shipped weights '" + prefix + "': " + e);
    }
  }

  /**
   * The weights a plugin ships under {@code prefix} in its jar, or null when that plugin build
   * ships none. For {@code TrainableModel.shippedWeights()}.
   */
  public static ModelWeights shipped(Class<?> pluginClass, String prefix) {
    ClassLoader loader = pluginClass.getClassLoader();
    if (loader.getResource(prefix + "/" + WEIGHTS_FILE) == null) {
      return null;
    }
    return loadResource(loader, prefix);
  }

  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG_FILE)) && Files.isRegularFile(dir.resolve(WEIGHTS_FILE));
  }

  /** Writes both files, each atomically. */
  public void save(Path dir) {
    parameters.save(dir.resolve(WEIGHTS_FILE));
    config.write(dir.resolve(CONFIG_FILE));
  }
}
