package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.cli.TesseraCli;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.api.io.PngImages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `./tessera evaluate` with the shipped evaluator on real and fake images (needs the packaged
 * plugins, as in `mvn verify`, and Fashion-MNIST): real test images score near the floor, noise
 * near the ceiling, duplicated images are flagged.
 */
class EvaluateEndToEndTest {
  static final Path PLUGINS = Path.of("../runtime/target/dist/plugins");
  @TempDir static Path tmp;
  static Dataset test;

  @BeforeAll
  static void data() {
    assumeTrue(Files.exists(PLUGINS.resolve("evaluator.jar")), "plugins not packaged yet");
    assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
    test = FashionMnist.load(null, FashionMnist.Split.TEST);
  }

  private static JsonNode evaluate(Path dir, String prompt) throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cl = TesseraCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute("--plugins-dir", PLUGINS.toString(), "evaluate", "--input", dir.toString(), "--prompt", prompt, "--json");
    assertEquals(0, exit, err.toString());
    return new ObjectMapper().readTree(out.toString());
  }

  private static Path write(String name, ImageBatch images) {
    Path dir = tmp.resolve(name);
    PngImages.writeAll(dir, images, null);
    return dir;
  }

  @Test
  void realImagesScoreNearTheFloorNoiseNearTheCeilingDuplicatesAreFlagged() throws Exception {
    int[] sneakers = IntStream.range(0, test.size()).filter(i -> test.labels()[i] == 7).limit(100).toArray();
    JsonNode real = evaluate(write("real", test.images().select(sneakers)), "a photo of a sneaker");
    assertTrue(real.get("conditional_accuracy").asDouble() > 0.9, real.toString());
    assertTrue(real.get("fid").asDouble() < 2 * real.get("fid_floor_real_at_n").asDouble() + 5, real.toString());
    assertFalse(real.get("mode_collapse_warning").asBoolean(), real.toString());
    assertTrue(real.get("clip_score").asDouble() > 0.3, real.toString());

    SplittableRandom r = new SplittableRandom(3);
    float[] px = new float[100 * 784];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextDouble();
    }
    JsonNode noise = evaluate(write("noise", new ImageBatch(100, 28, 28, 1, px)), "a photo of a sneaker");
    assertTrue(noise.get("fid").asDouble() > 0.5 * noise.get("fid_ceiling_noise_at_n").asDouble(), noise.toString());
    assertTrue(noise.get("fid").asDouble() > 10 * real.get("fid").asDouble(), noise.toString());

    int[] same = new int[40];
    java.util.Arrays.fill(same, sneakers[0]);
    JsonNode copies = evaluate(write("copies", test.images().select(same)), "a sneaker");
    assertTrue(copies.get("near_duplicates").asInt() >= 39, copies.toString());
    assertTrue(copies.get("mode_collapse_warning").asBoolean(), copies.toString());
  }

  /** classify with the evaluator itself: the shipped Fashion-MNIST classifier's accuracy on the first test images. */
  @Test
  void classifyScoresTheShippedEvaluatorOnTheTestSplit() throws Exception {
    CompareEndToEndTest.Run r = CompareEndToEndTest.run(PLUGINS, "classify", "--model", "fashion-classifier", "--dataset", "fashion-mnist",
        "--limit", "500");
    assertEquals(0, r.exit(), r.err());
    JsonNode o = new ObjectMapper().readTree(r.out());
    assertEquals("fashion-mnist-test", o.get("dataset").asText());
    assertEquals(500, o.get("images").asInt());
    assertTrue(o.get("top1").asDouble() > 0.85, r.out());
    assertTrue(o.get("per_class_top1").has("ankle boot"), r.out());
    CompareEndToEndTest.Run labels = CompareEndToEndTest.run(PLUGINS, "classify", "--model", "fashion-classifier", "--dataset", "fashion-mnist",
        "--labels", "a,b");
    assertEquals(1, labels.exit());
    assertTrue(labels.err().contains("--labels and --template are for zero-shot models"), labels.err());
  }

  /** Zero-shot accuracy of the shipped CLIP with WordNet's words as labels: only the classes that have such words are scored. */
  @Test
  void classifyByWordNetsWords() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(dev.tessera.runtime.data.WordNet.DEBIAN.resolve("data.noun")),
        "wordnet-base is not installed");
    CompareEndToEndTest.Run r = CompareEndToEndTest.run(PLUGINS, "classify", "--model", "clip", "--dataset", "fashion-mnist", "--words",
        "held-out", "--limit", "100");
    assertEquals(0, r.exit(), r.err());
    JsonNode o = new ObjectMapper().readTree(r.out());
    assertEquals("held-out", o.get("words").asText());
    int classes = o.get("classes_scored").asInt();
    assertTrue(classes >= 5 && classes < 10, "t-shirt, sneaker and bag have no held-out words: " + r.out());
    assertEquals(classes, o.get("per_class_top1").size());
    assertTrue(o.get("images").asInt() < 100 && o.get("images").asInt() > 30, r.out());
    assertEquals(1.0 / classes, o.get("chance").asDouble(), 1e-4);
    CompareEndToEndTest.Run seen = CompareEndToEndTest.run(PLUGINS, "classify", "--model", "clip", "--dataset", "fashion-mnist", "--words",
        "seen", "--limit", "100");
    assertEquals(0, seen.exit(), seen.err());
    assertEquals(10, new ObjectMapper().readTree(seen.out()).get("classes_scored").asInt());
    CompareEndToEndTest.Run bad = CompareEndToEndTest.run(PLUGINS, "classify", "--model", "clip", "--dataset", "fashion-mnist", "--words", "some");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("--words must be seen or held-out"), bad.err());
  }
}
