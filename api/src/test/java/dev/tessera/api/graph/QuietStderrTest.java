package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A Java program that uses Tessera's graphs gets a quiet stderr: TensorFlow's two start-up notices (absl's "All log
 * messages before absl::InitializeLog()" and "MLIR V1 optimization pass is not enabled") are kept off it by the
 * native library (quiet_log.c), and nothing else written to stderr meanwhile is lost. Each case runs in a fresh JVM,
 * since the notices are printed once per process.
 */
class QuietStderrTest {
  private static final String ABSL = "All log messages before absl::InitializeLog() is called are written to STDERR";
  private static final String MLIR = "MLIR V1 optimization pass is not enabled";
  private static final int LINES = 300;

  @Test
  void tensorflowsStartUpNoticesStayOffStderrAndEveryOtherLineArrives() throws Exception {
    assumeNativeKernels();
    Run run = child(Map.of());
    assertEquals(0, run.exit, run.err);
    assertFalse(run.err.contains(ABSL), run.err);
    assertFalse(run.err.contains(MLIR), run.err);
    List<String> lines = run.err.lines().toList();
    assertTrue(lines.contains("before loading"), run.err);
    assertTrue(lines.contains("after running"), run.err);
    for (int i = 0; i < LINES; i++) {
      assertTrue(lines.contains("concurrent line " + i), "line " + i + " lost:\n" + run.err);
    }
  }

  @Test
  void tfCppMinLogLevelZeroKeepsThem() throws Exception {
    assumeNativeKernels();
    Run run = child(Map.of("TF_CPP_MIN_LOG_LEVEL", "0"));
    assertEquals(0, run.exit, run.err);
    assertTrue(run.err.contains(MLIR), "the notice this test expects TensorFlow to print did not appear:\n" + run.err);
    assertTrue(run.err.contains("after running"), run.err);
  }

  private static void assumeNativeKernels() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")), "native kernels are built for Linux x86-64 only");
    assumeTrue(!"off".equalsIgnoreCase(System.getenv().getOrDefault("TESSERA_NATIVE_OPS", "")), "TESSERA_NATIVE_OPS=off");
  }

  private record Run(int exit, String err) {}

  private static Run child(Map<String, String> env) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), Child.class.getName());
    pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
    pb.environment().putAll(env);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    byte[] err = p.getErrorStream().readAllBytes();
    return new Run(p.waitFor(), new String(err, StandardCharsets.UTF_8));
  }

  /** Loads the kernels while another thread writes to stderr, then runs a graph as an embedding program would. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      System.err.println("before loading");
      Thread writer = new Thread(() -> {
        for (int i = 0; i < LINES; i++) {
          System.err.println("concurrent line " + i);
        }
      });
      writer.start();
      if (!NativeOps.available()) {
        throw new IllegalStateException("native kernels not loaded: " + NativeOps.status());
      }
      try (Graph g = new Graph(); Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        var y = tf.math.mul(tf.constant(new float[] {1, 2}), tf.constant(3f));
        try (TFloat32 t = (TFloat32) s.runner().fetch(y).run().get(0)) {
          if (t.getFloat(1) != 6f) {
            throw new IllegalStateException("wrong product " + t.getFloat(1));
          }
        }
      }
      writer.join();
      System.err.println("after running");
    }
  }
}
