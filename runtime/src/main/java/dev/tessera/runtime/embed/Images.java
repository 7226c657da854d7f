package dev.tessera.runtime.embed;

import dev.tessera.api.io.OutputFolder;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.pipeline.GenerationOutput;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * What one {@link Generator#generate} made: the pixels ({@link #batch()}, NHWC floats in [0, 1])
 * and what the manifest records ({@link #run()}).
 */
public record Images(ImageBatch batch, GenerationOutput.Run run) {
  public int count() {
    return batch.count();
  }

  /** Image {@code i} as an 8-bit image, as the PNG files hold it. */
  public BufferedImage image(int i) {
    return dev.tessera.api.io.PngImages.toImage(batch, i);
  }

  /**
   * Writes {@code DIR/images/0000.png ...}, {@code DIR/grid.png} and {@code DIR/manifest.json}, as
   * {@code generate} does, into a new or empty folder; returns the manifest's path.
   */
  public Path save(Path dir) {
    return save(dir, false);
  }

  /** As {@link #save(Path)}; with {@code overwrite}, replaces an earlier run's files there (and nothing else). */
  public Path save(Path dir, boolean overwrite) {
    OutputFolder.check(dir, "folder", overwrite, GenerationOutput.FILES).prepare();
    return GenerationOutput.write(dir, run, batch);
  }
}
