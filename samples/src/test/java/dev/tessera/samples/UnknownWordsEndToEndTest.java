package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prompt with words the shipped CLIP has no embedding for still generates, with a one-line
 * warning naming them on stderr and in the manifest; a prompt of known words has none.
 */
class UnknownWordsEndToEndTest {
  private static JsonNode generate(Path dir, String prompt, StringBuilder err) throws Exception {
    CompareEndToEndTest.Run r = CompareEndToEndTest.run(CompareEndToEndTest.PLUGINS, "generate", "--pipeline", "clip-gan", "--prompt", prompt,
        "--num-images", "2", "--seed", "1", "--output-dir", dir.toString());
    assertEquals(0, r.exit(), r.err());
    err.append(r.err());
    return new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
  }

  @Test
  void unknownWordsAreWarnedAboutAndRecorded(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("clip-gan.jar")), "plugins not packaged yet");
    StringBuilder err = new StringBuilder();
    JsonNode manifest = generate(dir.resolve("cat"), "a photo of a cat", err);
    assertTrue(Files.exists(dir.resolve("cat/images/0001.png")), "it still generates");
    String line = err.toString().lines().filter(l -> l.startsWith("warning: ")).findFirst().orElse("");
    assertTrue(line.contains("does not know the word \"cat\""), err.toString());
    assertEquals(1, manifest.get("warnings").size(), manifest.toString());
    assertEquals(line.substring("warning: ".length()), manifest.get("warnings").get(0).asText());

    StringBuilder quiet = new StringBuilder();
    JsonNode known = generate(dir.resolve("sneaker"), "a photo of a sneaker", quiet);
    assertFalse(known.has("warnings"), known.toString());
    assertFalse(quiet.toString().contains("warning: "), quiet.toString());
  }

  /** TESSERA_LEXICON=none leaves unknown words unread; a folder without WordNet is a one-line error, and nothing is written. */
  @Test
  void theLexiconIsChosenByTheEnvironment(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("clip-gan.jar")), "plugins not packaged yet");
    assumeTrue(Files.isRegularFile(Path.of("/usr/share/wordnet/data.noun")), "wordnet-base is not installed");
    Process none = generateWith("none", dir.resolve("none"));
    String noneErr = new String(none.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, none.waitFor(), noneErr);
    assertTrue(noneErr.contains("does not know the word \"zori\": it reads them as one shared unknown token"), noneErr);

    Path missing = dir.resolve("no-wordnet");
    Process bad = generateWith(missing.toString(), dir.resolve("bad"));
    String badErr = new String(bad.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(1, bad.waitFor(), badErr);
    List<String> errors = badErr.lines().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), badErr);
    assertTrue(errors.get(0).startsWith("error: TESSERA_LEXICON='" + missing + "': no WordNet database in " + missing
        + " (expected data.noun and index.noun; apt-get install wordnet-base, or TESSERA_LEXICON=none)"), badErr);
    assertFalse(badErr.contains("Guice"), "the binding's own message, not Guice's report: " + badErr);
    assertFalse(Files.exists(dir.resolve("bad")), "nothing written");
  }

  /** {@code generate} of "a photo of a zori" in a process of its own with TESSERA_LEXICON set. */
  private static Process generateWith(String lexicon, Path out) throws Exception {
    Path jar = CompareEndToEndTest.PLUGINS.getParent().resolve("tessera-runtime.jar");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
        "--plugins-dir", CompareEndToEndTest.PLUGINS.toString(), "generate", "--pipeline", "clip-gan", "--prompt", "a photo of a zori",
        "--num-images", "1", "--output-dir", out.toString());
    pb.environment().put("TESSERA_LEXICON", lexicon);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    return pb.start();
  }
}
