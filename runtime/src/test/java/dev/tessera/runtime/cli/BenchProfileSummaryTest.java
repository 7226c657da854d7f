package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.runtime.bench.Measurement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchProfileSummaryTest {
  @TempDir Path tmp;

  private static Measurement m(String workload) {
    return new Measurement(workload, "", 1, 1, -1, -1, Double.NaN);
  }

  @Test
  void namesTheWorkloadsTracedAndThoseNot() throws Exception {
    Files.writeString(tmp.resolve("unet_train.txt"), "x");
    assertEquals("op profiles of unet_train written to " + tmp.toAbsolutePath()
            + " (not traced: gpt_decode_cache)",
        BenchCommand.profileSummary(tmp, List.of(m("matmul"), m("unet_train"), m("gpt_decode_cache"))));
    assertEquals("no op profiles written (not traced: gpt_decode_nocache)",
        BenchCommand.profileSummary(tmp.resolve("none"), List.of(m("matmul"), m("gpt_decode_nocache"))));
    assertEquals("op profiles of unet_train written to " + tmp.toAbsolutePath(), BenchCommand.profileSummary(tmp, List.of(m("unet_train"))));
  }
}
