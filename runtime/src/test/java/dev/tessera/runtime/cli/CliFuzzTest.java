package dev.tessera.runtime.cli;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.testing.ByteMutations;
import dev.tessera.api.testing.FuzzCampaign;
import dev.tessera.api.testing.JsonMutations;
import dev.tessera.api.testing.Mutation;
import dev.tessera.runtime.cli.fixtures.TinyBrightnessGuidance;
import dev.tessera.runtime.cli.fixtures.TinyDecoder;
import dev.tessera.runtime.cli.fixtures.TinyDenoiser;
import dev.tessera.runtime.cli.fixtures.TinyEncoder;
import dev.tessera.runtime.cli.fixtures.TinyGuidance;
import dev.tessera.runtime.cli.fixtures.TinyJointEncoder;
import dev.tessera.runtime.cli.fixtures.TinyModel;
import dev.tessera.runtime.cli.fixtures.TinyNoisyBrightnessGuidance;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.cli.fixtures.TinyTokenizer;
import dev.tessera.runtime.testing.TestPluginJars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the command line itself with hostile input (issue 21): each case takes a working command
 * (generate by flags or by a pipeline file, reconstruct, train, tokenize, plugins) on tiny
 * plugins, then damages it: flag values (NaN, the infinities, 0, negatives, huge, empty, a lone
 * surrogate, paths that climb out), or the files it reads (pipeline, config and cluster files
 * through {@link JsonMutations}; PNGs, weights and plugin zips through {@link ByteMutations}).
 *
 * <p>Every case must end in exit 0 with its output written, or in one line {@code error: ...}
 * with a non-zero exit, within {@link #CASE_TIME_LIMIT}; no stack trace, no internal exception
 * type in the message (a leaked {@code NullPointerException: ...}), no error thrown out of the
 * command line; and nothing outside the case's output folder changed (every other file under the
 * test's folder is hashed before and after). Case {@code i} comes from seed {@code first seed + i}
 * ({@code -Dtessera.fuzz.seed=N} replays one as case 0). The default build runs {@link #CASES}
 * cases; the {@code long} profile {@link #LONG_CASES}. Flags that name files get hostile paths
 * inside the case's folder (an input, a file, a NUL, the root), never one a run could write
 * outside the test's folder.
 */
class CliFuzzTest {
  static final int CASES = 1_000;
  static final int LONG_CASES = 10_000;
  static final long CASE_TIME_LIMIT_SECONDS = 60;

  /** A leaked internal exception: the handler prints unexpected exceptions as "SimpleName: message". */
  private static final Pattern LEAKED = Pattern.compile("^error: (?:[a-z]+\\.)*[A-Z][A-Za-z]*(Exception|Error)\\b.*", Pattern.DOTALL);

  private static final String[] HOSTILE_VALUES = {
    "NaN", "Infinity", "-Infinity", "1e39", "-1e39", "1e-400", "0", "-1", "-5", "2147483647", "2147483648", "-2147483648",
    "9223372036854775808", "", " ", "x", "0x10", "1,5", "\uD800", "a\u0000b", "1".repeat(5000), "2", "1",
  };

  /** Flags that name a file or folder: given {@link #hostilePath} values instead. */
  private static final List<String> PATH_FLAGS = List.of("--output-dir", "--output-dir", "--input", "--weights", "--dataset");

  @TempDir Path root;

  @Test
  void hostileCommandLinesEndCleanly() throws Exception {
    run(CASES);
  }

  @Test
  @Tag("long")
  void tenThousandHostileCommandLines() throws Exception {
    run(LONG_CASES);
  }

  /** The shared, undamaged inputs every case starts from. */
  private record Fixtures(Path plugins, Path diffusionWeights, Path autoencoderWeights, Path images, byte[] pluginZip) {}

  /** One command line and where it may write. */
  private record Case(String description, Path plugins, List<String> args, Path output, String expectedOutput) {}

  private void run(int cases) throws Exception {
    Fixtures f = fixtures();
    long firstSeed = Long.getLong(FuzzCampaign.SEED_PROPERTY, FuzzCampaign.DEFAULT_FIRST_SEED);
    List<String> failures = new ArrayList<>();
    int ok = 0;
    int refused = 0;
    long start = System.nanoTime();
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "cli-fuzz");
      t.setDaemon(true);
      return t;
    });
    try {
      for (int i = 0; i < cases; i++) {
        long seed = firstSeed + i;
        Path dir = Files.createDirectories(root.resolve("case-" + i));
        Case c = build(f, dir, new SplittableRandom(seed));
        String label = "case " + i + " (seed " + seed + "): " + c.description() + ": " + abbreviate(String.join(" ", c.args()));
        List<Path> writable = c.plugins().equals(f.plugins()) ? List.of(c.output()) : List.of(c.output(), c.plugins());
        Map<String, String> before = hashes(root, writable);
        Future<CliRun> pending = worker.submit(() -> CliRun.run(c.plugins(), c.args().toArray(String[]::new)));
        CliRun r;
        try {
          r = pending.get(CASE_TIME_LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          pending.cancel(true);
          failures.add(label + ": did not finish within " + CASE_TIME_LIMIT_SECONDS + " s");
          break; // the worker may be stuck for good
        } catch (java.util.concurrent.ExecutionException e) {
          failures.add(label + ": threw out of the command line: " + e.getCause());
          continue;
        }
        String problem = judge(r, c);
        if (problem == null && !before.equals(hashes(root, writable))) {
          problem = "changed files outside its output folder";
        }
        if (problem != null) {
          failures.add(label + ": " + problem);
        } else if (r.exit() == 0) {
          ok++;
        } else {
          refused++;
        }
        deleteTree(dir);
      }
    } finally {
      worker.shutdownNow();
    }
    String summary = String.format("fuzz %-18s %6d cases from seed %d: %5d ran, %5d refused, %d failed, %.1f s", "command line", cases,
        firstSeed, ok, refused, failures.size(), (System.nanoTime() - start) / 1e9);
    System.out.println(summary);
    failures.forEach(x -> System.out.println("  " + x));
    if (!failures.isEmpty()) {
      throw new AssertionError(summary + "\n  " + String.join("\n  ", failures.subList(0, Math.min(5, failures.size()))));
    }
  }

  /** Why the run is not a clean success or a clean refusal, or null. */
  private static String judge(CliRun r, Case c) {
    if (r.exit() == 0) {
      if (c.expectedOutput() != null && !Files.exists(c.output().resolve(c.expectedOutput()))) {
        return "exit 0 without " + c.expectedOutput();
      }
      return null;
    }
    String err = r.err().strip();
    if (!err.startsWith("error: ")) {
      return "exit " + r.exit() + " without an 'error: ' line: " + abbreviate(err);
    }
    if (err.lines().count() != 1) {
      return "more than one line on stderr: " + abbreviate(err);
    }
    if (err.contains("\tat ") || LEAKED.matcher(err).matches()) {
      return "an internal exception leaked: " + abbreviate(err);
    }
    return null;
  }

  private Fixtures fixtures() throws Exception {
    Path plugins = root.resolve("plugins");
    TestPluginJars jar = TestPluginJars.plugin("tinyall", TinyPlugin.class).extensions(TinyEncoder.class, TinyDecoder.class, TinyModel.class,
        TinyTokenizer.class, TinyJointEncoder.class, TinyDenoiser.class, TinyGuidance.class, TinyBrightnessGuidance.class,
        TinyNoisyBrightnessGuidance.class);
    jar.writeTo(plugins, "tinyall.jar");
    Path zipDir = Files.createDirectories(root.resolve("zip-source"));
    byte[] pluginZip = Files.readAllBytes(jar.writeZipTo(zipDir, "tinyzip.zip"));
    Path diffusion = root.resolve("diffusion-weights");
    GenerateEndToEndTest.writeWeights(diffusion);
    Path images = TinyCli.randomPngs(root.resolve("images"), "a.png", "b.png", "c.png", "d.png");
    Path autoencoder = root.resolve("autoencoder-weights");
    CliRun t = CliRun.run(plugins, "train", "tiny", "--dataset", images.toString(), "--steps", "1", "--output-dir", autoencoder.toString());
    if (t.exit() != 0) {
      throw new AssertionError("fixture training failed: " + t.err());
    }
    return new Fixtures(plugins, diffusion, autoencoder, images, pluginZip);
  }

  /** A working command for case folder {@code dir}, then damaged. */
  private Case build(Fixtures f, Path dir, SplittableRandom random) throws Exception {
    Path out = dir.resolve("out");
    int kind = random.nextInt(100);
    List<String> args;
    String expected;
    String what;
    List<String> flags;
    Path plugins = f.plugins();
    if (kind < 25) {
      args = new ArrayList<>(List.of("generate", "--pipeline", "clip-diffusion", "--weights", f.diffusionWeights().toString(), "--prompt", "a boot",
          "--num-images", "2", "--steps", "3", "--batch-size", "2", "--output-dir", out.toString()));
      flags = List.of("--num-images", "--steps", "--batch-size", "--seed", "--guidance-scale", "--eta", "--scheduler", "--prompt",
          "--candidates", "--output-dir", "--weights", "--device", "--score-guidance-scale", "--top-p", "--temperature");
      expected = "manifest.json";
      what = "generate";
    } else if (kind < 40) {
      Path file = dir.resolve("p.json");
      String json = "{\"pipeline\": \"clip-diffusion\", \"weights\": \"" + f.diffusionWeights().toString().replace("\\", "\\\\")
          + "\", \"scheduler\": \"ddim\", \"steps\": 3, \"guidance_scale\": 2.0, \"eta\": 0.0, \"batch_size\": 2}";
      Mutation m = JsonMutations.any(json, random);
      Files.write(file, m.bytes());
      args = new ArrayList<>(List.of("generate", "--pipeline-file", file.toString(), "--prompt", "a bag", "--num-images", "2", "--output-dir",
          out.toString()));
      flags = List.of();
      expected = "manifest.json";
      what = "generate --pipeline-file with " + m.description();
    } else if (kind < 55) {
      Path input = copyTree(f.images(), dir.resolve("images"));
      Path weights = copyTree(f.autoencoderWeights(), dir.resolve("weights"));
      what = "reconstruct";
      int damage = random.nextInt(3);
      if (damage == 0) {
        Path png = input.resolve("b.png");
        Mutation m = ByteMutations.any(Files.readAllBytes(png), random);
        Files.write(png, m.bytes());
        what += " of a PNG with " + m.description();
      } else if (damage == 1) {
        Path config = weights.resolve(ModelWeights.CONFIG_FILE);
        Mutation m = JsonMutations.any(Files.readString(config), random);
        Files.write(config, m.bytes());
        what += " with a config.json with " + m.description();
      } else {
        Path w = weights.resolve(ModelWeights.WEIGHTS_FILE);
        Mutation m = ByteMutations.any(Files.readAllBytes(w), random);
        Files.write(w, m.bytes());
        what += " with weights with " + m.description();
      }
      args = new ArrayList<>(List.of("reconstruct", "--model", "tiny", "--weights", weights.toString(), "--input", input.toString(),
          "--output-dir", out.toString()));
      flags = List.of("--batch-size", "--limit", "--bootstrap", "--output-dir", "--input");
      expected = "comparison.png";
    } else if (kind < 75) {
      args = new ArrayList<>(List.of("train", "tiny", "--dataset", f.images().toString(), "--steps", "2", "--checkpoint-every", "1", "--output-dir",
          out.toString()));
      flags = List.of("--steps", "--batch-size", "--lr", "--seed", "--checkpoint-every", "--log-every", "--clip-norm", "--limit",
          "--schedule", "--output-dir", "--dataset", "--set");
      expected = ModelWeights.WEIGHTS_FILE;
      what = "train";
      int extra = random.nextInt(3);
      if (extra == 1) {
        Path config = dir.resolve("config.json");
        Mutation m = JsonMutations.any("{\"batch_size\": 4, \"learning_rate\": 0.01, \"image_size\": 4, \"channels\": 1}", random);
        Files.write(config, m.bytes());
        args.addAll(List.of("--config", config.toString()));
        what += " --config with " + m.description();
      } else if (extra == 2) {
        Path cluster = dir.resolve("cluster.json");
        Mutation m = JsonMutations.any("{\"worker\": [\"127.0.0.1:1\"]}", random);
        Files.write(cluster, m.bytes());
        args.addAll(List.of("--cluster", cluster.toString(), "--worker-timeout", "1"));
        what += " --cluster with " + m.description();
        expected = null; // a well-formed file names a worker that is not there: an error, or nothing
      }
    } else if (kind < 88) {
      args = new ArrayList<>(List.of("tokenize", "a photo of a cat"));
      flags = List.of();
      expected = null;
      what = "tokenize";
      if (random.nextBoolean()) {
        args.set(1, pick(random));
        what += " a hostile text";
      }
    } else {
      // A plugins folder of its own with the tiny plugin as a damaged zip beside it.
      plugins = copyTree(f.plugins(), dir.resolve("plugins"));
      Mutation m = ByteMutations.any(f.pluginZip(), random);
      Files.write(plugins.resolve("tinyzip.zip"), m.bytes());
      args = new ArrayList<>(List.of("plugins"));
      flags = List.of();
      expected = null;
      what = "plugins with a zip with " + m.description();
    }
    int changes = flags.isEmpty() ? 0 : random.nextInt(3);
    for (int k = 0; k < changes; k++) {
      String flag = flags.get(random.nextInt(flags.size()));
      String value = flag.equals("--set") ? pick(new String[] {"batch_size", "learning_rate", "image_size", "nosuchkey"}, random) + "="
          + pick(random) : PATH_FLAGS.contains(flag) ? hostilePath(dir, random) : pick(random);
      int at = args.indexOf(flag);
      if (at >= 0) {
        args.set(at + 1, value);
      } else {
        args.add(flag);
        args.add(value);
      }
      what += ", " + flag + " " + abbreviate(value);
    }
    // The folder the command was told to write (a flag may have moved it): the one place it may change.
    for (String flag : List.of("--output-dir", "--out")) {
      int at = args.indexOf(flag);
      if (at >= 0) {
        try {
          out = Path.of(args.get(at + 1)).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
          // not a path at all: the command refuses it
        }
      }
    }
    return new Case(what, plugins, args, out, expected);
  }

  /** A path that is wrong in some way, all inside the case's folder. */
  private static String hostilePath(Path dir, SplittableRandom random) {
    String[] paths = {"", " ", dir.toString(), dir.resolve("images").toString(), dir.resolve("p.json").toString(),
        dir.resolve("out/../out").toString(), dir.resolve("missing/deeper").toString(), dir + "/a\u0000b", dir + "/\uD800",
        dir.resolve("out").toString()};
    return pick(paths, random);
  }

  private static String pick(SplittableRandom random) {
    return pick(HOSTILE_VALUES, random);
  }

  private static String pick(String[] values, SplittableRandom random) {
    return values[random.nextInt(values.length)];
  }

  /** SHA-256 of every file under {@code dir} but those under the folders a case may write. */
  private static Map<String, String> hashes(Path dir, List<Path> writable) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        if (writable.stream().noneMatch(p::startsWith)) {
          m.put(dir.relativize(p).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
        }
      }
    }
    return m;
  }

  private static Path copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
    return to;
  }

  private static void deleteTree(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String abbreviate(String s) {
    String one = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).replace("\n", "\\n");
    return one.length() > 300 ? one.substring(0, 300) + "..." : one;
  }

}
