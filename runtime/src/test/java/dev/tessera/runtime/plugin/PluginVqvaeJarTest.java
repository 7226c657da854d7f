package dev.tessera.runtime.plugin;

import dev.tessera.runtime.testing.TestPluginJars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Quantizer;
import dev.tessera.api.spi.TrainableModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real vqvae plugin jar, as `mvn package` puts it in the distribution. */
class PluginVqvaeJarTest {
  // Relative to the module directory, where surefire runs.
  private static final Path JAR = Path.of("target/dist/plugins/vqvae.jar");

  @Test
  void builtVqvaePluginLoadsWithItsComponents(@TempDir Path plugins) throws IOException {
    Assumptions.assumeTrue(Files.isRegularFile(JAR), "no " + JAR.toAbsolutePath() + " (run mvn package first)");
    // A copy, so the test sees that jar alone and not the other plugins of the distribution.
    Files.copy(JAR, plugins.resolve("vqvae.jar"));

    try (PluginRuntime runtime = PluginRuntime.load(plugins)) {
      assertEquals(1, runtime.reports().size(), runtime.reports()::toString);
      PluginReport report = runtime.reports().get(0);
      assertEquals("vqvae", report.id());
      assertTrue(report.ok(), report::toString);
      assertTrue(report.extensions().containsAll(
          List.of("model vqvae", "encoder vqvae", "quantizer vector-quantizer", "decoder vqvae")), report::toString);

      assertEquals("vqvae", runtime.owner(TrainableModel.class, "vqvae"));
      assertEquals("vqvae", runtime.owner(Encoder.class, "vqvae"));
      assertEquals("vqvae", runtime.owner(Quantizer.class, "vector-quantizer"));
      assertEquals("vqvae", runtime.owner(Decoder.class, "vqvae"));
      assertEquals("vector-quantizer", Components.create(runtime).quantizer("vector-quantizer").name());
    }
  }

  @Test
  void builtVqvaePluginBundlesNoHostClasses() {
    Assumptions.assumeTrue(Files.isRegularFile(JAR), "no " + JAR.toAbsolutePath() + " (run mvn package first)");
    // A second copy of TensorFlow (or of the api's TF-typed interfaces) breaks the host: see
    // TF-JAVA-NOTES "Plugins and class loading".
    List<String> entries = TestPluginJars.entries(JAR);
    assertTrue(entries.contains("META-INF/extensions.idx"), entries::toString);
    List<String> host = entries.stream()
        .filter(e -> e.startsWith("org/tensorflow/") || e.startsWith("dev/tessera/api/"))
        .toList();
    assertEquals(List.of(), host);
  }
}
