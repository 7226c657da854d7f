package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every pipeline file shipped in samples/pipelines reads, names a shipped pipeline, and sets only options that pipeline declares. */
class SamplePipelineFilesTest {
  @Test
  void everySamplePipelineFileReads() throws Exception {
    List<Path> files;
    try (Stream<Path> listing = Files.list(Path.of("pipelines"))) {
      files = listing.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    try (PluginRuntime runtime = PluginRuntime.load(CompareEndToEndTest.PLUGINS)) {
      Components components = Components.create(runtime);
      for (Path file : files) {
        PipelineSpec spec = PipelineSpec.read(file);
        assertTrue(components.pipelines().has(spec.pipeline()), file + ": unknown pipeline " + spec.pipeline());
        Pipelines.options(components, spec); // fails on an option the pipeline does not declare
      }
    }
  }
}
