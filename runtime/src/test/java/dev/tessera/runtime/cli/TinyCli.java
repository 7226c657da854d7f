package dev.tessera.runtime.cli;

import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.cli.fixtures.TinyDecoder;
import dev.tessera.runtime.cli.fixtures.TinyEncoder;
import dev.tessera.runtime.cli.fixtures.TinyJointEncoder;
import dev.tessera.runtime.cli.fixtures.TinyModel;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.cli.fixtures.TinyTokenizer;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.testing.TestPluginJars;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** What the command-line tests run against: the tiny plugin (an autoencoder model and its parts) and tiny gray PNGs. */
final class TinyCli {
  private TinyCli() {}

  /** Writes {@code plugins/tiny.jar}; returns the plugins folder. */
  static Path tinyPlugin(Path plugins) {
    TestPluginJars.plugin("tiny", TinyPlugin.class)
        .extensions(TinyEncoder.class, TinyDecoder.class, TinyModel.class, TinyTokenizer.class, TinyJointEncoder.class)
        .writeTo(plugins, "tiny.jar");
    return plugins;
  }

  /** Writes 4x4 gray PNGs of random pixels (seed 1) named {@code names} into {@code dir}; returns it. */
  static Path randomPngs(Path dir, String... names) {
    SplittableRandom r = new SplittableRandom(1);
    float[] px = new float[names.length * 16];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextDouble();
    }
    PngImages.writeAll(dir, new ImageBatch(names.length, 4, 4, 1, px), List.of(names));
    return dir;
  }
}
