package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --profile} sees into the gpt plugin's decode loop (its runs go through TracedRuns). */
class BenchDecodeProfileEndToEndTest {
  @Test
  void theDecodeWorkloadsAreTimedAndProfiled(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("gpt.jar")), "plugins not packaged yet");
    CompareEndToEndTest.Run r = CompareEndToEndTest.run("bench", "--tiny", "--workloads", "gpt_decode", "--iterations", "2", "--warmup", "1",
        "--sample-iterations", "2", "--matmul-size", "64", "--profile", dir.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("same codes both ways: true"), r.out());
    assertTrue(r.out().contains("op profiles of gpt_decode_cache, gpt_decode_nocache written to"), r.out());
    for (String w : new String[] {"gpt_decode_cache", "gpt_decode_nocache"}) {
      String text = Files.readString(dir.resolve(w + ".txt"));
      assertTrue(text.contains("ten most expensive by op type") && text.contains("MatMul"), w + ":\n" + text);
      assertTrue(text.startsWith(w + ": "), text);
    }
  }
}
