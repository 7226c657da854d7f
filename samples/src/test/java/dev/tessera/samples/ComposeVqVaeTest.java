package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the sample against the built plugins (present after the plugins are packaged, as in `mvn verify`). */
class ComposeVqVaeTest {
  @TempDir Path tmp;

  @Test
  void reconstructsTheSampleImagesWithTheShippedWeights() throws Exception {
    Path plugins = Path.of("../runtime/target/dist/plugins");
    assumeTrue(Files.exists(plugins.resolve("vqvae.jar")), "plugins not packaged yet");
    double psnr = ComposeVqVae.run(plugins, Path.of("images/fashion-mnist"), tmp);
    assertTrue(psnr > 20, "PSNR " + psnr);
    try (var files = Files.list(tmp)) {
      assertTrue(files.count() == 10);
    }
  }
}
