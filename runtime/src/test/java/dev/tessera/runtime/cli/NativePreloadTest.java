package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NativePreloadTest {
  @Test
  void graphCommandsPreloadTensorFlowAndTheOthersDoNot() throws Exception {
    Thread t = NativePreload.startFor(new String[] {"--plugins-dir", "x", "generate", "--prompt", "a bag"});
    assertNotNull(t);
    assertTrue(t.isDaemon());
    NativePreload.awaitBeforeExit(t);
    assertFalse(t.isAlive());
    assertNull(NativePreload.startFor(new String[] {"tokenize", "a photo of a cat"}));
    assertNull(NativePreload.startFor(new String[] {"--version"}));
    assertNull(NativePreload.startFor(new String[] {}));
    NativePreload.awaitBeforeExit(null);
  }

  @Test
  void theListNamesOnlyRealSubcommands() {
    Set<String> names = TesseraCli.commandLine().getSubcommands().keySet();
    Set<String> unknown = NativePreload.GRAPH_COMMANDS.stream().filter(n -> !names.contains(n)).collect(Collectors.toSet());
    assertEquals(Set.of(), unknown);
    // every subcommand is classified on purpose: a new one must be added to one side or the other
    Set<String> noGraph = Set.of("plugins", "pipelines", "setup", "tokenize", "help");
    for (String n : names) {
      assertTrue(NativePreload.GRAPH_COMMANDS.contains(n) ^ noGraph.contains(n), n + " is in neither or both lists");
    }
  }
}
