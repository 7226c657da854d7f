package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tessera as a library in a program of its own: samples/embed-example, a Maven project whose one
 * dependency is {@code dev.tessera:tessera-runtime}, is built and run the way README.md says
 * ({@code mvn compile exec:exec}) against this checkout's installed artifacts, and draws what the
 * in-tree sample draws for the same settings. README.md shows the program's code, line for line.
 */
class ExternalEmbedEndToEndTest {
  static final Path PROJECT = Path.of("embed-example");
  static final Path PROGRAM = PROJECT.resolve("src/main/java/com/example/embed/Bags.java");
  @TempDir Path tmp;

  @Test
  void readmeShowsTheProgram() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    for (String line : tryBlock()) {
      assertTrue(readme.contains(line), "README.md lacks the example's line: " + line);
    }
  }

  @Test
  void theExampleBuildsAndRunsAgainstTheInstalledArtifacts() throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("diffusion.jar")), "plugins not packaged yet");
    Path out = tmp.resolve("bags");
    ExternalMavenBuild.configured().run(PROJECT, tmp.resolve("build"), "compile", "exec:exec",
        "-Dplugins=" + CompareEndToEndTest.PLUGINS.toAbsolutePath(), "-Dout=" + out);
    Path inTree = tmp.resolve("in-tree");
    GenerateInJava.run(CompareEndToEndTest.PLUGINS, inTree);
    for (int i = 0; i < 4; i++) {
      String name = String.format("images/%04d.png", i);
      assertArrayEquals(Files.readAllBytes(inTree.resolve(name)), Files.readAllBytes(out.resolve(name)), name);
    }
    assertTrue(Files.isRegularFile(out.resolve("manifest.json")));
  }

  /** The statements of the program's try block, trimmed: what a reader copies. */
  private static List<String> tryBlock() throws Exception {
    List<String> lines = Files.readAllLines(PROGRAM).stream().map(String::strip).toList();
    int from = 0;
    while (!lines.get(from).startsWith("try (")) {
      from++;
    }
    int to = from + 1;
    while (!lines.get(to).equals("}")) {
      to++;
    }
    return lines.subList(from, to);
  }
}
