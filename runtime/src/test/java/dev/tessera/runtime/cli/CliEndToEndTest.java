package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.cli.fixtures.TinyDecoder;
import dev.tessera.runtime.cli.fixtures.TinyJointEncoder;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.testing.TestPluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command through picocli, as a user runs it, against a plugins folder holding a tiny
 * plugin built at test time (and a broken jar next to it) and tiny PNG data.
 */
class CliEndToEndTest {
  @TempDir Path tmp;
  Path plugins;
  Path images;

  CliRun run(String... args) {
    return CliRun.run(plugins, args);
  }

  @BeforeEach
  void setUp() throws Exception {
    plugins = TinyCli.tinyPlugin(tmp.resolve("plugins"));
    Files.write(plugins.resolve("broken.jar"), new byte[] {1, 2, 3, 4});
    images = TinyCli.randomPngs(tmp.resolve("images"), "a.png", "b.png", "c.png", "d.png", "e.png", "f.png");
  }

  @Test
  void pluginsListsTheGoodPluginAndTheBrokenJarWithItsReason() {
    CliRun r = run("plugins");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("OK      tiny 1.0.0  [tokenizer tiny, encoder tiny, encoder tiny-joint, decoder tiny, model tiny]"), r.out());
    assertTrue(r.out().contains("FAILED  broken.jar"), r.out());
    assertTrue(r.out().contains("1 plugin(s) loaded, 1 with problems"), r.out());
    assertTrue(r.out().contains("native kernels (api): " + dev.tessera.api.graph.NativeOps.status()), r.out());
  }

  @Test
  void pluginsRejectsAPluginBundlingTensorFlowAndAZipWithPathTraversal() {
    TestPluginJars.plugin("fat", TinyPlugin.class).extensions(TinyDecoder.class).bundle(org.tensorflow.Session.class).writeTo(plugins, "fat.jar");
    TestPluginJars.plugin("slip", TinyPlugin.class).extensions(TinyDecoder.class).writeZipTo(plugins, "slip.zip", "../../slipped.txt");
    CliRun r = run("plugins");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("FAILED  fat.jar: rejected: bundles TensorFlow classes (org/tensorflow/Session.class)"), r.out());
    assertTrue(r.out().contains("FAILED  slip.zip: rejected: entry '../../slipped.txt' would be written outside the plugin's folder"), r.out());
    assertTrue(r.out().contains("OK      tiny 1.0.0"), r.out());
    assertTrue(r.out().contains("1 plugin(s) loaded, 3 with problems"), r.out());
    assertFalse(Files.exists(tmp.resolve("slipped.txt")) || Files.exists(tmp.getParent().resolve("slipped.txt")));
  }

  @Test
  void trainResumeAndReconstructEndToEnd() throws Exception {
    Path run = tmp.resolve("run");
    CliRun t = run("train", "tiny", "--dataset", images.toString(), "--steps", "4", "--checkpoint-every", "2", "--log-every", "2", "--output-dir", run.toString());
    assertEquals(0, t.exit(), t.err());
    assertTrue(t.out().contains("step 4/4"), t.out());
    assertTrue(ModelWeights.exists(run));

    CliRun again = run("train", "tiny", "--dataset", images.toString(), "--steps", "4", "--output-dir", run.toString());
    assertEquals(1, again.exit());
    assertTrue(again.err().startsWith("error: ") && again.err().contains("--resume"), again.err());
    assertFalse(again.err().contains("\tat "), "no stack trace without --verbose");

    CliRun resumed = run("train", "tiny", "--dataset", images.toString(), "--steps", "6", "--resume", "--output-dir", run.toString());
    assertEquals(0, resumed.exit(), resumed.err());
    assertTrue(resumed.out().contains("resumed tiny") && resumed.out().contains("at step 4"), resumed.out());

    Path out = tmp.resolve("recon");
    CliRun rec = run("reconstruct", "--model", "tiny", "--weights", run.toString(), "--input", images.toString(), "--output-dir", out.toString());
    assertEquals(0, rec.exit(), rec.err());
    assertTrue(rec.out().contains("mean PSNR"), rec.out());
    assertTrue(rec.out().contains("no reconstruction FID: no feature network for 4x4x1 images ships (fashion-classifier: not loaded; "
        + "twemoji-classifier: not loaded); PSNR only"), rec.out());
    CliRun boot = run("reconstruct", "--model", "tiny", "--weights", run.toString(), "--input", images.toString(), "--bootstrap", "3",
        "--output-dir", tmp.resolve("recon-boot").toString());
    assertEquals(0, boot.exit(), boot.err());
    assertTrue(boot.out().contains("PSNR only (--evaluator-weights DIR names a feature network), so no --bootstrap either"), boot.out());
    CliRun badBoot = run("reconstruct", "--model", "tiny", "--weights", run.toString(), "--input", images.toString(), "--bootstrap", "-2",
        "--output-dir", tmp.resolve("recon-bad").toString());
    assertEquals(1, badBoot.exit());
    assertTrue(badBoot.err().contains("--bootstrap must be 0 (off) or at least 2 resamples, got -2"), badBoot.err());
    for (String name : List.of("a.png", "b.png", "f.png")) {
      assertEquals(4, PngImages.read(out.resolve("images").resolve(name), 1).height());
    }
    assertTrue(Files.exists(out.resolve("comparison.png")));
  }

  @Test
  void reconstructRejectsAWrongSizeUnlessAskedToResize() throws Exception {
    Path run = tmp.resolve("run");
    assertEquals(0, run("train", "tiny", "--dataset", images.toString(), "--steps", "1", "--output-dir", run.toString()).exit());
    Path big = tmp.resolve("big");
    PngImages.writeAll(big, new ImageBatch(1, 8, 8, 1, new float[64]), List.of("x.png"));
    CliRun bad = run("reconstruct", "--model", "tiny", "--weights", run.toString(), "--input", big.toString(), "--output-dir", tmp.resolve("o").toString());
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("x.png") && bad.err().contains("--resize"), bad.err());
    CliRun ok = run("reconstruct", "--model", "tiny", "--weights", run.toString(), "--input", big.toString(), "--resize", "--output-dir", tmp.resolve("o").toString());
    assertEquals(0, ok.exit(), ok.err());
  }

  @Test
  void reconstructNamesTheDataSetsItKnowsAndWhatTwemojiNeeds() {
    Path run = tmp.resolve("run");
    assertEquals(0, run("train", "tiny", "--dataset", images.toString(), "--steps", "1", "--output-dir", run.toString()).exit());
    CliRun unknown = run("reconstruct", "--model", "tiny", "--weights", run.toString(), "--dataset", "twemoji-subcategories", "--output-dir",
        tmp.resolve("o").toString());
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("--dataset: fashion-mnist or twemoji, got 'twemoji-subcategories'"), unknown.err());
    CliRun grey = run("reconstruct", "--model", "tiny", "--weights", run.toString(), "--dataset", "twemoji", "--output-dir",
        tmp.resolve("o").toString());
    assertEquals(1, grey.exit());
    assertTrue(grey.err().contains("twemoji images are RGB, and the model takes 1 channel(s)"), grey.err());
    CliRun notAnEvaluator = run("reconstruct", "--model", "tiny", "--weights", run.toString(), "--input", images.toString(),
        "--evaluator-weights", run.toString(), "--output-dir", tmp.resolve("o").toString());
    assertEquals(1, notAnEvaluator.exit());
    assertTrue(notAnEvaluator.err().contains("not an evaluator's weights"), notAnEvaluator.err());
  }

  @Test
  void reconstructWithoutWeightsSaysHowToGetThem() {
    CliRun r = run("reconstruct", "--model", "tiny", "--input", images.toString(), "--output-dir", tmp.resolve("o").toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("ships no weights") && r.err().contains("--weights"), r.err());
  }

  @Test
  void unknownNamesListWhatExists() {
    CliRun r = run("train", "nosuch", "--dataset", images.toString(), "--steps", "1", "--output-dir", tmp.resolve("x").toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("unknown model 'nosuch'; available: tiny"), r.err());
  }

  @Test
  void benchPrintsTheCeilingAndTheRatio() {
    CliRun r = run("bench", "--model", "tiny", "--workloads", "model", "--iterations", "2", "--warmup", "1", "--matmul-size", "64", "--batch-size", "4");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("ceiling:"), r.out());
    assertTrue(r.out().contains("tiny_train batch 4") && r.out().contains("of the matmul ceiling"), r.out());
    assertTrue(r.out().contains("peak_MiB") && r.out().contains("tiny_train "), r.out());
    CliRun bad = run("bench", "--workloads", "resnet");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("unknown workload 'resnet'"), bad.err());
  }

  @Test
  void benchRunsTheUNetWorkloadsAtTinyShapesAndWritesOpProfiles() throws Exception {
    Path dir = tmp.resolve("profile");
    CliRun r = run("bench", "--tiny", "--workloads", "model,unet_train,unet_sample,conv_layers", "--model", "tiny", "--iterations", "2", "--warmup", "1",
        "--sample-iterations", "2", "--matmul-size", "64", "--batch-size", "4", "--profile", dir.toString(), "--feed", "in-graph");
    assertEquals(0, r.exit(), r.err());
    for (String row : List.of("matmul ", "tiny_train ", "unet_train ", "unet_sample ")) {
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith(row) && (row.equals("matmul ") || l.endsWith("%"))), row + "\n" + r.out());
    }
    String[] convs = r.out().lines().filter(l -> l.matches("conv_\\d+x\\d+x\\d+ +[0-9.]+ .*")).map(l -> l.split(" +")[0]).toArray(String[]::new);
    assertEquals(2, convs.length, "one conv layer per level of the tiny U-Net:\n" + r.out());
    assertTrue(r.out().contains("op profiles of tiny_train, unet_train, unet_sample, " + String.join(", ", convs) + " written to "
        + dir.toAbsolutePath()), r.out());
    for (String w : List.of("tiny_train", "unet_train", "unet_sample")) {
      assertTrue(Files.readString(dir.resolve(w + ".txt")).contains("ten most expensive by op type"), w);
      assertTrue(Files.exists(dir.resolve(w + ".json")), w);
    }
    CliRun bad = run("bench", "--feed", "sideways");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("--feed must be per-step or in-graph"), bad.err());
  }

  @Test
  void badArgumentsAreOneLineErrors() {
    CliRun r = run("train", "tiny", "--steps", "0", "--output-dir", tmp.resolve("x").toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("steps (--steps, total training steps) must be an integer in [1, 1000000000], got 0"), r.err());
    CliRun missing = run("train", "tiny", "--dataset", tmp.resolve("nothing").toString(), "--output-dir", tmp.resolve("y").toString());
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("nor a folder"), missing.err());
  }

  @Test
  void everyCommandHasHelp() {
    for (String cmd : List.of("plugins", "train", "reconstruct", "bench", "classify", "similarity", "setup", "tokenize", "retrieval", "import", "evaluate", "generate", "compare")) {
      CliRun r = run(cmd, "--help");
      assertEquals(0, r.exit(), cmd);
      assertTrue(r.out().contains("Usage:"), cmd + ": " + r.out());
    }
  }

  @Test
  void launcherExplainsAnUnbuiltProject() throws Exception {
    Path script = tmp.resolve("checkout/tessera");
    Files.createDirectories(script.getParent());
    Files.copy(Path.of("../tessera"), script);
    Process p = new ProcessBuilder("bash", script.toString(), "plugins").redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(2, p.waitFor());
    assertTrue(output.contains("not built yet") && output.contains("mvn"), output);
  }

  /** A checkout whose "java" on PATH is a script printing TensorFlow's start-up noise, an error, and what it read from stdin. */
  private ProcessBuilder launcherWithFakeJava(String... args) throws Exception {
    Path checkout = tmp.resolve("fake-checkout");
    Path script = checkout.resolve("tessera");
    if (!Files.exists(script)) {
      Files.createDirectories(checkout.resolve("runtime/target/dist"));
      Files.writeString(checkout.resolve("runtime/target/dist/tessera-runtime.jar"), "");
      Files.copy(Path.of("../tessera"), script);
      Path bin = Files.createDirectories(checkout.resolve("bin"));
      Files.writeString(bin.resolve("java"), String.join("\n",
          "#!/usr/bin/env bash",
          "echo 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR' >&2",
          "echo 'I0000 00:00:1796615874.225511   12767 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled' >&2",
          "echo '2026-12-07 03:16:27.582598: E tensorflow/core/util/util.cc:131] oneDNN supports DT_INT32 only on platforms with AVX-512. "
              + "Falling back to the default Eigen-based implementation if present.' >&2",
          "read -r line; echo \"stdin: $line\"",
          "if [[ \"$*\" == *wait-for-term* ]]; then trap 'echo got TERM >&2; exit 143' TERM; echo ready; while true; do sleep 0.05; done; fi",
          "echo 'error: something is wrong' >&2",
          "exit 3", ""));
      bin.resolve("java").toFile().setExecutable(true);
    }
    List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("PATH", checkout.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().remove("TESSERA_RAW_STDERR");
    return pb;
  }

  private static String[] finish(Process p, String stdin) throws Exception {
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    java.util.concurrent.CompletableFuture<String> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return new String[] {Integer.toString(p.waitFor()), out, err.get()};
  }

  @Test
  void launcherKeepsStderrForTesserasOwnMessagesAndPassesStdinAndTheExitCode() throws Exception {
    String[] r = finish(launcherWithFakeJava("generate", "--prompt", "x").start(), "hello\n");
    assertEquals("3", r[0]);
    assertEquals("stdin: hello\n", r[1]);
    assertEquals("error: something is wrong\n", r[2], "TensorFlow's start-up lines are dropped, the error kept");
    String[] verbose = finish(launcherWithFakeJava("generate", "--verbose").start(), "hello\n");
    assertTrue(verbose[2].startsWith("WARNING: All log messages before absl::InitializeLog()") && verbose[2].contains("oneDNN"),
        "--verbose leaves stderr untouched: " + verbose[2]);
  }

  @Test
  void launcherPassesSigtermOnToTheJvm() throws Exception {
    Process p = launcherWithFakeJava("generate", "wait-for-term").start();
    p.getOutputStream().write("x\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    p.getOutputStream().close();
    var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("stdin: x", out.readLine());
    assertEquals("ready", out.readLine());
    assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
    assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the launcher ends when the JVM does");
    assertEquals(143, p.exitValue());
    assertEquals("got TERM\n", new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Weights for the tiny joint encoder, initialised (not trained): enough to run classify and similarity. */
  private Path jointWeights() {
    Path dir = tmp.resolve("joint");
    dev.tessera.api.io.ModelConfig config = dev.tessera.api.io.ModelConfig.empty().with("scope", "joint").with("encoder", "tiny-joint")
        .with("tokenizer", "tiny").with("image_size", 4).with("channels", 1).with("text_length", 8);
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      dev.tessera.api.graph.GraphScope root = dev.tessera.api.graph.GraphScope.root(g);
      var x = root.tf().placeholder(org.tensorflow.types.TFloat32.class,
          org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 4, 4, 1)));
      var t = root.tf().placeholder(org.tensorflow.types.TInt32.class,
          org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 8)));
      new TinyJointEncoder().encodeImages(root.child("joint"), config, x);
      new TinyJointEncoder().encodeText(root.child("joint"), config, t);
      try (org.tensorflow.Session s = new org.tensorflow.Session(g)) {
        root.variables().initialize(s, 5);
        new ModelWeights(config, root.variables().snapshot(s, dev.tessera.api.graph.VariableStore.MODEL_WEIGHTS)).save(dir);
      }
    }
    return dir;
  }

  @Test
  void classifyPrintsOneJsonObjectPerImage() throws Exception {
    CliRun r = run("classify", "--model", "tiny", "--weights", jointWeights().toString(), "--labels", "cat, dog,bird",
        "--template", "a photo of a {}", "--input", images.toString());
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(6, lines.length, r.out());
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var first = json.readTree(lines[0]);
    assertEquals("a.png", first.get("file").asText());
    assertTrue(List.of("cat", "dog", "bird").contains(first.get("label").asText()));
    double sum = 0;
    for (String l : List.of("cat", "dog", "bird")) {
      sum += first.get("scores").get(l).asDouble();
    }
    assertEquals(1.0, sum, 1e-3);
    CliRun noLabels = run("classify", "--model", "tiny", "--weights", jointWeights().toString(), "--input", images.toString());
    assertEquals(1, noLabels.exit());
    assertTrue(noLabels.err().contains("--labels"), noLabels.err());
    CliRun badTemplate = run("classify", "--model", "tiny", "--weights", jointWeights().toString(), "--labels", "a",
        "--template", "no placeholder", "--input", images.toString());
    assertEquals(1, badTemplate.exit());
    assertTrue(badTemplate.err().contains("{}"), badTemplate.err());
  }

  @Test
  void similarityPrintsAScorePerImage() throws Exception {
    CliRun r = run("similarity", "--model", "tiny", "--weights", jointWeights().toString(), "--prompt", "a red apple", "--input", images.toString());
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(6, lines.length);
    var o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[5]);
    assertEquals("f.png", o.get("file").asText());
    assertTrue(Math.abs(o.get("score").asDouble()) <= 1.0);
  }

  @Test
  void setupRejectsUnknownDataSets() {
    CliRun r = run("setup", "imagenet");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("unknown data set 'imagenet'"), r.err());
  }

  /** A command's subject is positional or its option (docs/cli.md's rule); twice or not at all is a usage error naming both forms. */
  @Test
  void theSubjectIsPositionalOrGivenByItsOption() {
    assertEquals("[1,39,40,63]", run("tokenize", "--tokenizer", "tiny", "--text", "ab").out().strip());
    CliRun byOption = run("train", "--model", "tiny", "--dataset", images.toString(), "--steps", "1", "--output-dir", tmp.resolve("by-option").toString());
    assertEquals(0, byOption.exit(), byOption.err());
    assertTrue(byOption.out().startsWith("training tiny on"), byOption.out());
    CliRun twice = run("train", "tiny", "--model", "vqvae", "--steps", "1", "--output-dir", tmp.resolve("twice").toString());
    assertEquals(2, twice.exit());
    assertTrue(twice.err().contains("MODEL given twice ('tiny' and --model 'vqvae'): give it once"), twice.err());
    CliRun none = run("setup");
    assertEquals(2, none.exit());
    assertTrue(none.err().contains("missing DATASET: ./tessera setup DATASET or ./tessera setup --dataset DATASET"), none.err());
    assertFalse(Files.exists(tmp.resolve("twice")), "a usage error writes nothing");
  }

  @Test
  void tokenizePrintsTheIdsAsOneJsonArray() {
    CliRun r = run("tokenize", "--tokenizer", "tiny", "ab");
    assertEquals(0, r.exit(), r.err());
    assertEquals("[1,39,40,63]", r.out().strip());
    CliRun unknown = run("tokenize", "--tokenizer", "nope", "ab");
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("unknown tokenizer 'nope'"), unknown.err());
    CliRun tooLong = run("tokenize", "--tokenizer", "tiny", "abcdefghij");
    assertEquals(1, tooLong.exit());
    assertTrue(tooLong.err().contains("longer than the context of 8"), tooLong.err());
    CliRun cut = run("tokenize", "--tokenizer", "tiny", "--truncate", "abcdefghij");
    assertEquals(0, cut.exit(), cut.err());
    assertTrue(cut.out().strip().endsWith(",63]"), cut.out());
  }
}
