package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds a Maven project that is not part of this build (samples/external-plugin,
 * samples/embed-example) the way its author would, with {@code mvn -q -B package}, against the
 * api and runtime of this checkout.
 *
 * <p>The outer build may not have installed the api ({@code mvn verify} installs nothing, and a
 * local repository may hold another checkout's api), so the project is built with a local
 * repository of its own: this checkout's {@code tessera-api} jar, test-jar and POMs staged in it,
 * and every other top-level folder a symbolic link into the outer build's local repository, which
 * already holds every other artifact and Maven plugin the project needs (the outer build used the
 * same versions), so the build runs offline. Nothing is installed into the outer repository.
 *
 * <p>Settings come from the surefire configuration in samples/pom.xml: {@code tessera.test.maven.home}
 * ({@code mvn} is taken from there, else from PATH), {@code tessera.test.maven.repo} (else
 * {@code maven.repo.local}, else ~/.m2/repository), {@code tessera.test.root} and
 * {@code tessera.test.version}.
 */
final class ExternalMavenBuild {
  static final long TIMEOUT_MINUTES = 5;

  private final Path mvn;
  private final Path outerRepository;
  private final Path root;
  private final String version;

  private ExternalMavenBuild(Path mvn, Path outerRepository, Path root, String version) {
    this.mvn = mvn;
    this.outerRepository = outerRepository;
    this.root = root;
    this.version = version;
  }

  /** The build as this test run is configured; skips the calling test when there is no mvn or no packaged api. */
  static ExternalMavenBuild configured() {
    Path mvn = findMaven();
    assumeTrue(mvn != null, "mvn is neither in tessera.test.maven.home nor on PATH: the external plugin cannot be built");
    String repo = System.getProperty("tessera.test.maven.repo", System.getProperty("maven.repo.local",
        Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
    Path root = Path.of(System.getProperty("tessera.test.root", "..")).toAbsolutePath().normalize();
    String version = System.getProperty("tessera.test.version", "0.1.0-SNAPSHOT");
    ExternalMavenBuild build = new ExternalMavenBuild(mvn, Path.of(repo), root, version);
    for (Path p : build.apiFiles()) {
      assumeTrue(Files.isRegularFile(p), p + " is missing: package the api first (mvn package from the repository root)");
    }
    return build;
  }

  private static Path findMaven() {
    String home = System.getProperty("tessera.test.maven.home");
    if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
      return Path.of(home, "bin", "mvn");
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "mvn"))) {
        return Path.of(dir, "mvn");
      }
    }
    return null;
  }

  /** The api jar, its test-jar, its POM, the parent POM, the runtime jar and its POM, as this checkout built them. */
  private List<Path> apiFiles() {
    Path target = root.resolve("api/target");
    return List.of(target.resolve("tessera-api-" + version + ".jar"), target.resolve("tessera-api-" + version + "-tests.jar"),
        root.resolve("api/pom.xml"), root.resolve("pom.xml"), root.resolve("runtime/target/dist/tessera-runtime.jar"),
        root.resolve("runtime/pom.xml"));
  }

  /**
   * Copies {@code project} (without its target folder) into {@code work}, runs {@code mvn package}
   * there and returns the jar it built.
   */
  Path pack(Path project, Path work) throws IOException, InterruptedException {
    Path copy = run(project, work, "package");
    try (Stream<Path> jars = Files.list(copy.resolve("target"))) {
      List<Path> built = jars.filter(f -> f.getFileName().toString().endsWith(".jar")).toList();
      assertEquals(1, built.size(), "expected one jar in target/, got " + built);
      return built.get(0);
    }
  }

  /**
   * Copies {@code project} (without its target folder) into {@code work} and runs {@code mvn
   * ARGS} there (offline, quiet); returns the copy. Its output is in {@code work/maven.log}.
   */
  Path run(Path project, Path work, String... args) throws IOException, InterruptedException {
    Path copy = work.resolve(project.getFileName());
    copyTree(project, copy);
    Path repository = stageRepository(work.resolve("m2"));
    List<String> command = new java.util.ArrayList<>(List.of(mvn.toString(), "-q", "-B", "-o", "-Dmaven.repo.local=" + repository,
        "-Dtessera.version=" + version));
    command.addAll(List.of(args));
    Path log = work.resolve("maven.log");
    ProcessBuilder pb = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home")); // the JDK running the tests
    Process p = pb.start();
    boolean done = p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    assertTrue(done, "mvn " + String.join(" ", args) + " did not finish in " + TIMEOUT_MINUTES + " minutes: " + log);
    assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed in " + copy + ":\n" + tail(log));
    return copy;
  }

  /**
   * A local repository holding this checkout's api (jar, test-jar, POM, parent POM) under
   * dev/tessera, and links to the outer repository's folders for everything else.
   */
  private Path stageRepository(Path head) throws IOException {
    Path tessera = head.resolve("dev/tessera");
    Path api = tessera.resolve("tessera-api").resolve(version);
    Path parent = tessera.resolve("tessera-parent").resolve(version);
    Path runtime = tessera.resolve("tessera-runtime").resolve(version);
    Files.createDirectories(api);
    Files.createDirectories(parent);
    Files.createDirectories(runtime);
    List<Path> files = apiFiles();
    Files.copy(files.get(4), runtime.resolve("tessera-runtime-" + version + ".jar"));
    Files.copy(files.get(5), runtime.resolve("tessera-runtime-" + version + ".pom"));
    Files.copy(files.get(0), api.resolve("tessera-api-" + version + ".jar"));
    Files.copy(files.get(1), api.resolve("tessera-api-" + version + "-tests.jar"));
    Files.copy(files.get(2), api.resolve("tessera-api-" + version + ".pom"));
    Files.copy(files.get(3), parent.resolve("tessera-parent-" + version + ".pom"));
    link(outerRepository, head, Path.of("dev"));
    link(outerRepository.resolve("dev"), head.resolve("dev"), Path.of("tessera"));
    return head;
  }

  /** Links every entry of {@code from} into {@code to}, except {@code keep}, which {@code to} has already. */
  private static void link(Path from, Path to, Path keep) throws IOException {
    if (!Files.isDirectory(from)) {
      return;
    }
    try (Stream<Path> entries = Files.list(from)) {
      for (Path e : entries.toList()) {
        if (!e.getFileName().equals(keep)) {
          Files.createSymbolicLink(to.resolve(e.getFileName().toString()), e.toAbsolutePath());
        }
      }
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.filter(p -> !from.relativize(p).startsWith("target")).toList()) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
