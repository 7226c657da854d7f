package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's soak: 10,000 diffusion sampling steps, 2,000 VQ-VAE training steps and 50 plugin
 * reloads in one JVM; after the first block of each phase (warm-up) resident memory stays within
 * 5% of where it was. In the {@code long} profile ({@code mvn -Plong verify}); about 4 minutes.
 */
@Tag("long")
class NativeMemorySoakTest {
  static final Path PLUGINS = Path.of(System.getProperty("tessera.test.plugins", "../runtime/target/dist/plugins"));
  static final double BOUND = 0.05;

  @TempDir Path work;

  @Test
  void residentMemoryStaysFlatOverSamplingTrainingAndReloads() throws Exception {
    assumeTrue(Files.exists(PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "apt-get install dataset-fashion-mnist");
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"), NativeMemorySoak.class.getName(),
        PLUGINS.toString(), work.toString(), "10000", "2000", "50");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), output);

    Map<String, List<long[]>> phases = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("rss ")) {
        String[] f = line.trim().split(" ");
        phases.computeIfAbsent(f[1], k -> new ArrayList<>()).add(new long[] {Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])});
      }
    }
    assertEquals(List.of("sampling", "training", "reload"), List.copyOf(phases.keySet()), output);
    List<String> failures = new ArrayList<>();
    StringBuilder table = new StringBuilder("phase     done   RSS MiB  heap MiB  vs warm-up\n");
    phases.forEach((phase, rows) -> {
      long warm = rows.get(0)[1];
      for (long[] r : rows) {
        double change = (double) r[1] / warm - 1;
        table.append(String.format(Locale.ROOT, "%-8s %6d %9.1f %9.1f %+10.2f%%%n", phase, r[0], r[1] / 1024.0, r[2] / 1024.0, 100 * change));
        if (change > BOUND) {
          failures.add(String.format(Locale.ROOT, "%s at %d: RSS %+.1f%% over warm-up", phase, r[0], 100 * change));
        }
      }
    });
    System.out.print(table);
    assertTrue(failures.isEmpty(), failures + "\n" + table);
  }
}
