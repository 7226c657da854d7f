package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.runtime.cli.TesseraCli;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.data.Twemoji;
import dev.tessera.runtime.testing.TinyTwemoji;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Twemoji feature network from the command line with the real plugins, on a tiny generated
 * Twemoji folder that {@code $TESSERA_TWEMOJI} points to (so each command runs in its own JVM):
 * {@code train twemoji-classifier --dataset twemoji-subcategories} records its classes, and
 * {@code reconstruct --dataset twemoji} reconstructs the test split with a 32x32 RGB VQ-VAE and
 * scores it in the Twemoji classifier's features (or says that none ships); {@code classify}
 * measures the classifier's accuracy on the subcategory test split.
 */
class TwemojiReconstructionEndToEndTest {
  static final List<String> SUBCATEGORIES = List.of("face-smiling", "animal-bird", "country-flag");
  @TempDir static Path tmp;
  static Path twemoji;
  static Path classifier;
  static Path vqvae;

  record Run(int exit, String output) {}

  /** {@code tessera ARGS} in a new JVM with $TESSERA_TWEMOJI set to the tiny folder. */
  static Run run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-cp",
        System.getProperty("java.class.path"), TesseraCli.class.getName(), "--plugins-dir", CompareEndToEndTest.PLUGINS.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put(Twemoji.ENV_VAR, twemoji.toString());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "tessera " + String.join(" ", args) + " did not finish");
    return new Run(p.exitValue(), output);
  }

  @BeforeAll
  static void trainATinyClassifierAndAutoencoderOnTinyTwemoji() throws Exception {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("evaluator.jar")), "plugins not packaged yet");
    twemoji = TinyTwemoji.write(tmp.resolve("twemoji"), 60, SUBCATEGORIES);
    classifier = tmp.resolve("classifier");
    Run c = run("train", "twemoji-classifier", "--dataset", "twemoji-subcategories", "--batch-size", "8", "--steps", "2", "--output-dir",
        classifier.toString());
    assertEquals(0, c.exit(), c.output());
    vqvae = tmp.resolve("vqvae");
    Run v = run("train", "vqvae", "--dataset", "twemoji", "--set", "image_size=32", "--set", "channels=3", "--set", "hidden_channels=8",
        "--set", "residual_channels=4", "--set", "residual_layers=1", "--set", "codebook_size=16", "--set", "embedding_dim=4",
        "--batch-size", "8", "--steps", "1", "--output-dir", vqvae.toString());
    assertEquals(0, v.exit(), v.output());
  }

  @Test
  void theClassifiersConfigNamesTheSortedSubcategoriesOfTheTrainingSplit() throws Exception {
    JsonNode config = new ObjectMapper().readTree(classifier.resolve("config.json").toFile());
    assertEquals(3, config.get("classes").asInt());
    assertEquals("[\"animal-bird\",\"country-flag\",\"face-smiling\"]", config.get("class_names").toString());
    assertEquals(32, config.get("image_size").asInt());
    assertEquals(3, config.get("channels").asInt());
    assertEquals("twemoji-features", config.get("features").asText());
  }

  @Test
  void reconstructTheTestSplitAndScoreItInTheTwemojiFeatures() throws Exception {
    int testSplit = Twemoji.load(twemoji, Twemoji.Split.TEST, 32).data().size();
    assertTrue(testSplit >= 3, "the tiny data holds out a few emoji: " + testSplit);

    Path out = tmp.resolve("recon");
    Run r = run("reconstruct", "--model", "vqvae", "--weights", vqvae.toString(), "--dataset", "twemoji", "--output-dir", out.toString());
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("reconstructed " + testSplit + " images"), "the default limit takes the whole test split: " + r.output());
    assertTrue(r.output().contains("mean PSNR"), r.output());
    boolean shipped = r.output().contains("(twemoji-classifier features; 0 = indistinguishable)");
    assertTrue(shipped || r.output().contains("no reconstruction FID: no feature network for 32x32x3 images ships (fashion-classifier: 28x28x1; "
        + "twemoji-classifier: ships no weights); PSNR only"), r.output());
    for (Twemoji.Emoji e : Twemoji.load(twemoji, Twemoji.Split.TEST, 32).emoji()) {
      assertEquals(32, PngImages.read(out.resolve("images").resolve(e.image()), 3).height(), "reconstructions keep the emoji's file names");
    }

    Path limited = tmp.resolve("recon-3");
    Run withFeatures = run("reconstruct", "--model", "vqvae", "--weights", vqvae.toString(), "--dataset", "twemoji", "--limit", "3",
        "--evaluator-weights", classifier.toString(), "--bootstrap", "5", "--output-dir", limited.toString());
    assertEquals(0, withFeatures.exit(), withFeatures.output());
    assertTrue(withFeatures.output().contains("bootstrap (5 resamples of the 3 pairs): resampled FIDs 2.5%..97.5% "), withFeatures.output());
    List<String> csv = Files.readAllLines(limited.resolve("fid-bootstrap.csv"));
    assertEquals(7, csv.size(), "a header, the full FID and one line per resample: " + csv);
    assertEquals("resample,images,fid", csv.get(0));
    assertTrue(csv.get(1).startsWith("-1,3,"), csv.get(1));
    assertTrue(csv.get(6).startsWith("4,3,") && Double.parseDouble(csv.get(6).substring(4)) >= 0, csv.get(6));
    Run again = run("reconstruct", "--model", "vqvae", "--weights", vqvae.toString(), "--dataset", "twemoji", "--limit", "3",
        "--evaluator-weights", classifier.toString(), "--bootstrap", "5", "--paired-with", limited.resolve("fid-bootstrap.csv").toString(),
        "--output-dir", tmp.resolve("recon-3-again").toString());
    assertEquals(0, again.exit(), again.output());
    assertEquals(csv, Files.readAllLines(tmp.resolve("recon-3-again/fid-bootstrap.csv")), "the same resamples every run");
    assertTrue(again.output().contains("this model's FID is lower on 0 of 5 resamples; difference (this - that) +0.00, "
        + "95% interval +0.00 .. +0.00"), "the same model against itself: " + again.output());

    Run oneResample = run("reconstruct", "--model", "vqvae", "--weights", vqvae.toString(), "--dataset", "twemoji", "--limit", "3",
        "--bootstrap", "1", "--output-dir", tmp.resolve("z").toString());
    assertEquals(1, oneResample.exit());
    assertTrue(oneResample.output().contains("--bootstrap must be 0 (off) or at least 2 resamples, got 1"), oneResample.output());
    assertTrue(withFeatures.output().contains("reconstructed 3 images"), withFeatures.output());
    assertTrue(withFeatures.output().contains("reconstruction FID")
        && withFeatures.output().contains("(twemoji-classifier features, weights from " + classifier + "; 0 = indistinguishable)"),
        withFeatures.output());

    int trainSplit = Twemoji.load(twemoji, Twemoji.Split.TRAIN, 32).data().size();
    Run onTraining = run("reconstruct", "--model", "vqvae", "--weights", vqvae.toString(), "--dataset", "twemoji", "--split", "train",
        "--output-dir", tmp.resolve("recon-train").toString());
    assertEquals(0, onTraining.exit(), onTraining.output());
    assertTrue(onTraining.output().contains("reconstructed " + trainSplit + " images"), onTraining.output());
    for (Twemoji.Emoji e : Twemoji.load(twemoji, Twemoji.Split.TRAIN, 32).emoji()) {
      assertTrue(Files.exists(tmp.resolve("recon-train/images").resolve(e.image())), e.image());
    }
    Run badSplit = run("reconstruct", "--model", "vqvae", "--weights", vqvae.toString(), "--dataset", "twemoji", "--split", "validation",
        "--output-dir", tmp.resolve("w").toString());
    assertEquals(1, badSplit.exit());
    assertTrue(badSplit.output().contains("--split: test or train, got 'validation'"), badSplit.output());

    Run wrongSize = run("reconstruct", "--model", "vqvae", "--dataset", "twemoji", "--output-dir", tmp.resolve("x").toString());
    assertEquals(1, wrongSize.exit());
    assertTrue(wrongSize.output().contains("twemoji images are RGB, and the model takes 1 channel(s)"), wrongSize.output());
  }

  /** Its defaults fit together: the default data set (Twemoji) with the CLIP trained on it. */
  @Test
  void retrievalWithNoOptionsRuns() throws Exception {
    Run r = run("retrieval");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("\"dataset\"") && r.output().contains("recall"), r.output());
  }

  @Test
  void missingTwemojiDataSaysHowToGetIt() throws Exception {
    Path saved = twemoji;
    twemoji = tmp.resolve("nothing-here");
    try {
      Run r = run("reconstruct", "--model", "vqvae", "--weights", vqvae.toString(), "--dataset", "twemoji", "--output-dir",
          tmp.resolve("y").toString());
      assertEquals(1, r.exit());
      assertTrue(r.output().contains("no Twemoji data (emoji.json missing): run ./tessera setup twemoji"), r.output());
    } finally {
      twemoji = saved;
    }
  }

  @Test
  void classifyScoresTheTrainedClassifierOnTheSubcategoryTestSplit() throws Exception {
    int testSplit = Twemoji.load(twemoji, Twemoji.Split.TEST, 32, Twemoji.Labels.SUBCATEGORY).data().size();
    Run r = run("classify", "--model", "twemoji-classifier", "--weights", classifier.toString(), "--dataset", "twemoji-subcategories");
    assertEquals(0, r.exit(), r.output());
    String line = r.output().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
    JsonNode o = new ObjectMapper().readTree(line);
    assertEquals("twemoji-subcategories-test", o.get("dataset").asText());
    assertEquals(testSplit, o.get("images").asInt());
    assertTrue(o.get("top1").asDouble() >= 0 && o.get("top1").asDouble() <= 1, line);

    Run wrongData = run("classify", "--model", "twemoji-classifier", "--weights", classifier.toString(), "--dataset", "twemoji");
    assertEquals(1, wrongData.exit());
    assertTrue(wrongData.output().contains("not the data set it was trained on"), wrongData.output());
  }
}
