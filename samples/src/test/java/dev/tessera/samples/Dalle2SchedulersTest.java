package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.runtime.cli.fixtures.TinyDdimCopy;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.testing.TestPluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scheduler a plugin brings drives both halves of the shipped dalle2 pipeline, its prior
 * included: a copy of DDIM under another name gives DDIM's images.
 */
class Dalle2SchedulersTest {
  @TempDir Path tmp;

  @Test
  void aPluginsSchedulerDrivesThePriorAndTheDecoder() throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    Path plugins = Files.createDirectories(tmp.resolve("plugins"));
    try (Stream<Path> inTree = Files.list(CompareEndToEndTest.PLUGINS)) {
      for (Path p : inTree.filter(p -> p.toString().endsWith(".jar")).toList()) {
        Files.copy(p, plugins.resolve(p.getFileName()));
      }
    }
    TestPluginJars.plugin("sched", TinyPlugin.class).extensions(TinyDdimCopy.class).writeTo(plugins, "sched.jar");
    for (String scheduler : new String[] {"ddim", "ddim-copy"}) {
      CompareEndToEndTest.Run r = CompareEndToEndTest.run(plugins, "generate", "--pipeline", "dalle2", "--scheduler", scheduler, "--steps", "4",
          "--prompt", "a photo of a bag", "--num-images", "2", "--seed", "5", "--output-dir", tmp.resolve(scheduler).toString());
      assertEquals(0, r.exit(), r.err());
    }
    for (String image : new String[] {"images/0000.png", "images/0001.png"}) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("ddim").resolve(image)), Files.readAllBytes(tmp.resolve("ddim-copy").resolve(image)), image);
    }
  }
}
