package dev.tessera.runtime.cli;

import java.util.Set;

/**
 * Loads TensorFlow's native library (and Tessera's kernels) on a second thread while the main one parses the
 * command line and loads the plugins: about 0.4 s of a command's start-up that the two otherwise spend one after
 * the other (docs/benchmarks.md, "Start-up of generate"). Only for commands that run graphs; the main thread simply
 * waits on the class's initialisation if it gets there first.
 */
final class NativePreload {
  /** Subcommands that build and run TensorFlow graphs. */
  static final Set<String> GRAPH_COMMANDS = Set.of("train", "worker", "generate", "serve", "compare", "reconstruct", "bench",
      "classify", "similarity", "retrieval", "evaluate", "import");

  private NativePreload() {}

  /** Starts the preload if the command line names a graph command; returns the thread, or null. */
  static Thread startFor(String[] args) {
    for (String a : args) {
      if (GRAPH_COMMANDS.contains(a)) {
        Thread t = new Thread(NativePreload::load, "tessera-native-preload");
        t.setDaemon(true);
        t.start();
        return t;
      }
    }
    return null;
  }

  private static void load() {
    try {
      org.tensorflow.TensorFlow.version();
      dev.tessera.api.graph.NativeOps.available();
    } catch (Throwable e) { // the main thread meets the same failure where it needs the library, and reports it
    }
  }

  /**
   * Lets a preload still running finish before the JVM exits (a command that failed early): exiting while a native
   * library is half loaded would run its destructors against a half-built state.
   */
  static void awaitBeforeExit(Thread preload) {
    if (preload != null) {
      try {
        preload.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
