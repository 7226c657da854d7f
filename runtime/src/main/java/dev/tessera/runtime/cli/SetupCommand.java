package dev.tessera.runtime.cli;

import dev.tessera.api.TesseraException;
import dev.tessera.runtime.data.Twemoji;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tessera setup twemoji}: fetches a data set once, with the registry client the machine
 * already has (npm), so that training never downloads anything.
 */
@Command(name = "setup",
    footer = {"", "Examples:",
        "  ./tessera setup twemoji"}, mixinStandardHelpOptions = true,
    description = "Fetch a data set once: 'twemoji' (npm pack " + Twemoji.PACKAGE + "). Fashion-MNIST comes from apt: apt-get install dataset-fashion-mnist.")
final class SetupCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DATASET", description = "twemoji; or --dataset.")
  String positionalDataset;

  @Option(names = "--dataset", paramLabel = "DATASET", description = "The data set, as the positional DATASET.")
  String datasetOption;

  @Option(names = "--dir", description = "Where to put it (default: $TESSERA_TWEMOJI or ~/.cache/tessera/twemoji).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    String dataset = Flags.subject(spec.commandLine(), positionalDataset, datasetOption, "--dataset", "DATASET");
    if (!dataset.equals("twemoji")) {
      throw new TesseraException("unknown data set '" + dataset + "' (known: twemoji; Fashion-MNIST: apt-get install dataset-fashion-mnist)");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (dir != null && dir.toString().isBlank()) {
      throw new TesseraException("--dir is empty: name a folder");
    }
    Path target = (dir != null ? dir : Twemoji.defaultDir()).toAbsolutePath();
    if (Files.isRegularFile(target.resolve("emoji.json"))) {
      out.println("already there: " + target);
      return 0;
    }
    checkTarget(target);
    Path work = Files.createTempDirectory("tessera-setup-");
    try {
      out.println("fetching " + Twemoji.PACKAGE + " with npm pack ...");
      out.flush();
      run(work, "npm", "pack", "--silent", Twemoji.PACKAGE);
      Path tgz;
      try (Stream<Path> s = Files.list(work)) {
        tgz = s.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
            .orElseThrow(() -> new TesseraException("npm pack produced no .tgz in " + work));
      }
      run(work, "tar", "xzf", tgz.getFileName().toString(), "package/emoji.json", "package/LICENSE", "package/img/twitter/64");
      Files.createDirectories(target.getParent());
      // Staged beside the target under a name no one else uses, so the final rename is atomic and
      // nothing already there (a user's "twemoji.partial", say) is ever replaced.
      Path staged = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".partial-");
      try {
        Files.move(work.resolve("package"), staged.resolve("package"));
        checkTarget(target);
        Files.deleteIfExists(target); // an empty folder only: checkTarget refused anything else
        Files.move(staged.resolve("package"), target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        deleteTree(staged);
      }
      long images;
      try (Stream<Path> s = Files.list(target.resolve("img/twitter/64"))) {
        images = s.count();
      }
      out.println("twemoji: " + images + " images and emoji.json in " + target + " (images CC-BY 4.0 Twitter; see LICENSE there)");
      return 0;
    } finally {
      deleteTree(work);
    }
  }

  /** The target may be missing or an empty folder; anything else is the user's and is never replaced. */
  static void checkTarget(Path target) throws IOException {
    if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new TesseraException("--dir " + target + " exists and is not a folder: choose another --dir (nothing was changed)");
    }
    try (Stream<Path> s = Files.list(target)) {
      if (s.findAny().isPresent()) {
        throw new TesseraException("--dir " + target + " is not empty and holds no Twemoji setup (no emoji.json): choose an empty or new "
            + "folder (nothing was changed)");
      }
    }
  }

  private static void run(Path cwd, String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new TesseraException("cannot run " + command[0] + ": is it installed? (" + e.getMessage() + ")");
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new TesseraException(String.join(" ", command) + " did not finish in 15 minutes");
    }
    if (p.exitValue() != 0) {
      throw new TesseraException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + output.strip());
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
