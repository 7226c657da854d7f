package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every pipeline file shipped in samples/pipelines reads and names a known pipeline. */
class SamplePipelineFilesTest {
  @Test
  void everySamplePipelineFileReads() throws Exception {
    List<Path> files;
    try (Stream<Path> listing = Files.list(Path.of("pipelines"))) {
      files = listing.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (Path file : files) {
      PipelineSpec spec = PipelineSpec.read(file);
      assertTrue(Pipelines.descriptions().containsKey(spec.pipeline()), file + ": unknown pipeline " + spec.pipeline());
    }
  }
}
