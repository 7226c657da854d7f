package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.io.SafeTensors;
import dev.tessera.api.io.TensorData;
import dev.tessera.runtime.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crashes, hangs and silent wrong results of issue 21 against the real plugins: each bad input
 * ends in a one-line error naming the problem and a non-zero exit, in well under a minute, and
 * writes nothing.
 */
class HostileInputEndToEndTest {
  @TempDir static Path tmp;
  static Path run;

  static CompareEndToEndTest.Run cli(String... args) {
    return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CompareEndToEndTest.run(args), () -> "hung: " + List.of(args));
  }

  static void assertOneLineError(CompareEndToEndTest.Run r, String... phrases) {
    assertNotEquals(0, r.exit(), r.out());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    for (String p : phrases) {
      assertTrue(r.err().contains(p), "expected '" + p + "' in: " + r.err());
    }
  }

  @BeforeAll
  static void trainOneStep() {
    assumeTrue(Files.exists(CompareEndToEndTest.PLUGINS.resolve("vqvae.jar")), "plugins not packaged yet");
    assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
    run = tmp.resolve("vqvae");
    CompareEndToEndTest.Run t = cli("train", "vqvae", "--steps", "1", "--limit", "64", "--batch-size", "8", "--output-dir", run.toString());
    assertEquals(0, t.exit(), t.err());
  }

  @Test
  void hugeSizesAreRefusedBeforeTensorFlowSeesThemNamingTheKey() throws Exception {
    Path out = tmp.resolve("huge");
    assertOneLineError(cli("train", "vqvae", "--set", "hidden_channels=1073741824", "--steps", "1", "--output-dir", out.toString()),
        "'hidden_channels' must be an integer in [1, 65536]", "got 1073741824");
    assertOneLineError(cli("train", "vqvae", "--set", "hidden_channels=16384", "--steps", "1", "--limit", "64", "--output-dir", out.toString()),
        "more than the limit of 268.4 M", "lower hidden_channels = 16384");
    assertFalse(Files.exists(out.resolve("config.json")));

    // The same in a weights folder's config.json, for reconstruct.
    Path weights = Files.createDirectories(tmp.resolve("huge-weights"));
    Files.copy(run.resolve("model.safetensors"), weights.resolve("model.safetensors"));
    Files.writeString(weights.resolve("config.json"), Files.readString(run.resolve("config.json"))
        .replaceFirst("\"hidden_channels\"\\s*:\\s*\\d+", "\"hidden_channels\": 16384"));
    assertOneLineError(cli("reconstruct", "--model", "vqvae", "--weights", weights.toString(), "--input", "images/fashion-mnist",
        "--output-dir", tmp.resolve("huge-recon").toString()), "more than the limit of 268.4 M");
  }

  @Test
  void badNumbersAreRefusedWhereverTheyComeFrom() {
    Path out = tmp.resolve("never");
    for (String[] flags : List.of(new String[] {"--batch-size", "0"}, new String[] {"--batch-size", "-1"}, new String[] {"--steps", "-5"})) {
      String pipeline = flags[0].equals("--steps") ? "clip-diffusion" : "clip-vae"; // a pipeline that takes the option
      List<String> args = new java.util.ArrayList<>(List.of("generate", "--pipeline", pipeline, "--prompt", "a bag", "--output-dir",
          out.toString()));
      args.addAll(List.of(flags));
      assertOneLineError(cli(args.toArray(String[]::new)), flags[0] + ",", "got " + flags[1]);
    }
    for (String[] flags : List.of(new String[] {"--guidance-scale", "NaN"}, new String[] {"--guidance-scale", "Infinity"},
        new String[] {"--guidance-scale", "1e39"}, new String[] {"--eta", "NaN"})) {
      assertOneLineError(cli("generate", "--pipeline", "clip-diffusion", "--prompt", "a bag", "--output-dir", out.toString(), flags[0],
          flags[1]), "Invalid value for option '" + flags[0] + "'");
    }
    assertOneLineError(cli("generate", "--pipeline", "clip-diffusion", "--prompt", "a bag", "--output-dir", out.toString(),
        "--guidance-scale", "1000"), "guidance_scale (--guidance-scale", "must be a number in [0, 100], got 1000");
    assertOneLineError(cli("classify", "--batch-size", "0", "--input", "images/fashion-mnist", "--labels", "bag,dress"), "batch_size");
    for (String[] flags : List.of(new String[] {"--lr", "-1"}, new String[] {"--batch-size", "0"}, new String[] {"--set", "nosuchkey=1"})) {
      assertOneLineError(cli("train", "vqvae", "--steps", "1", "--output-dir", out.toString(), flags[0], flags[1]), flags[0]);
    }
    assertOneLineError(cli("train", "vqvae", "--steps", "1", "--output-dir", out.toString(), "--lr", "NaN"), "'NaN' is not a finite number");
    assertOneLineError(cli("generate", "--pipeline", "clip-vae", "--prompt", "a bag", "--output-dir", out.toString(), "--steps", "5"),
        "pipeline 'clip-vae' has no option 'steps' (its options: temperature)");
    assertOneLineError(cli("generate", "--pipeline", "clip-vae", "--prompt", "a bag", "--output-dir", ""), "--output-dir is empty");
    assertFalse(Files.exists(out), "nothing was written");
  }

  @Test
  void weightsHoldingNaNAreRefusedNamingTheTensor() throws Exception {
    Path bad = Files.createDirectories(tmp.resolve("nan-weights"));
    Files.copy(run.resolve("config.json"), bad.resolve("config.json"));
    SafeTensors.Contents c = SafeTensors.read(run.resolve("model.safetensors"));
    Map<String, TensorData> tensors = new LinkedHashMap<>(c.tensors());
    String name = tensors.keySet().iterator().next();
    float[] v = tensors.get(name).toFloats();
    v[v.length - 1] = Float.NaN;
    tensors.put(name, TensorData.ofFloats(tensors.get(name).shape(), v));
    SafeTensors.write(bad.resolve("model.safetensors"), tensors, c.metadata());
    assertOneLineError(cli("reconstruct", "--model", "vqvae", "--weights", bad.toString(), "--input", "images/fashion-mnist", "--output-dir",
        tmp.resolve("nan-recon").toString()), "tensor '" + name + "' holds NaN at element " + (v.length - 1));
    assertFalse(Files.exists(tmp.resolve("nan-recon")));
  }

  @Test
  void aCheckpointWithANegativeStepIsRefused() throws Exception {
    Path copy = Files.createDirectories(tmp.resolve("negative"));
    for (String f : List.of("config.json", "model.safetensors", "train-log.csv")) {
      Files.copy(run.resolve(f), copy.resolve(f));
    }
    SafeTensors.Contents c = SafeTensors.read(run.resolve("checkpoint.safetensors"));
    Map<String, String> metadata = new LinkedHashMap<>(c.metadata());
    metadata.put("step", "-5");
    SafeTensors.write(copy.resolve("checkpoint.safetensors"), c.tensors(), metadata);
    assertOneLineError(cli("train", "vqvae", "--steps", "2", "--limit", "64", "--resume", "--output-dir", copy.toString()),
        "bad step -5 in metadata");
  }

  @Test
  void noCommandAndAMissingPluginsFolderFail() {
    assertNotEquals(0, CompareEndToEndTest.run(new String[0]).exit());
    CompareEndToEndTest.Run r = CompareEndToEndTest.run(tmp.resolve("no-plugins"), "plugins");
    assertOneLineError(r, "plugins folder", "does not exist");
    assertOneLineError(cli("generate", "--pipeline", "clip-vae", "--prompt", "x"), "Missing required option: '--output-dir");
  }
}
