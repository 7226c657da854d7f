package dev.tessera.runtime.cli;

import dev.tessera.api.io.OutputFolder;
import dev.tessera.runtime.embed.Tessera;
import dev.tessera.runtime.pipeline.GenerationOutput;
import dev.tessera.runtime.server.GenerationServer;
import dev.tessera.runtime.server.ServerSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tessera serve}: the generation server and its web page, until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serve generation over HTTP with a web page: warm pipelines, a job queue, progress events, metrics. Runs until SIGTERM "
        + "or Ctrl-C, then cancels queued jobs, lets the running one finish (--grace-seconds) and exits 0.",
    footer = {"", "Examples:",
        "  ./tessera serve --output-dir out/server                       # then open http://127.0.0.1:8080/",
        "  ./tessera serve --output-dir out/server --pipelines clip-gan,clip-diffusion --port 9000",
        "  TESSERA_SERVER_TOKEN=s3cret ./tessera serve --host 0.0.0.0 --output-dir out/server"})
final class ServeCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only); any other needs a token.")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port (0: a free one, printed). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--output-dir", required = true,
      description = "Where jobs write their folders (jobs/ID/: images, grid.png, manifest.json); new or empty, see --overwrite.")
  Path outputDir;

  @picocli.CommandLine.Mixin OverwriteOption overwrite = new OverwriteOption();

  @Option(names = "--pipelines", split = ",", description = "Pipelines to build before serving (others are built on first use).")
  List<String> pipelines = new ArrayList<>();

  @Option(names = "--token", description = "Every request must send 'Authorization: Bearer TOKEN' (default: $"
      + ServerSettings.ENV_TOKEN + "; none on loopback).")
  String token;

  @Option(names = "--queue", defaultValue = "32", description = "Jobs that may wait; more are refused with 503. Default: ${DEFAULT-VALUE}.")
  int queue;

  @Option(names = "--max-count", defaultValue = "16", description = "Images per job. Default: ${DEFAULT-VALUE}.")
  int maxCount;

  @Option(names = "--max-steps", defaultValue = "1000", description = "Largest steps or iterations a job may ask for. Default: ${DEFAULT-VALUE}.")
  int maxSteps;

  @Option(names = "--max-prompt-chars", defaultValue = "500", description = "Longest prompt. Default: ${DEFAULT-VALUE}.")
  int maxPromptChars;

  @Option(names = "--max-body-bytes", defaultValue = "65536", description = "Largest request body. Default: ${DEFAULT-VALUE}.")
  long maxBodyBytes;

  @Option(names = "--retention-minutes", defaultValue = "60",
      description = "Finished jobs and their files are removed this long after they end. Default: ${DEFAULT-VALUE}.")
  long retentionMinutes;

  @Option(names = "--warm", defaultValue = "4", description = "Built pipelines kept open (least recently used closed first). Default: ${DEFAULT-VALUE}.")
  int warm;

  @Option(names = "--max-batch", defaultValue = "16",
      description = "Images one merged run may draw: queued jobs for the same pipeline and settings share session runs (1: none). "
          + "Default: ${DEFAULT-VALUE}.")
  int maxBatch;

  @Option(names = "--max-wait-ms", defaultValue = "50",
      description = "How long a job may wait for others to merge with. Default: ${DEFAULT-VALUE}.")
  long maxWaitMs;

  @Option(names = "--grace-seconds", defaultValue = "30",
      description = "On stop, how long the running job may go on before it is cancelled. Default: ${DEFAULT-VALUE}.")
  long graceSeconds;

  /** Files the server writes in its folder: a job folder each, as generate writes one. */
  static List<String> files() {
    return GenerationOutput.FILES.stream().map(f -> "jobs/[0-9a-f]*/" + f).toList();
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String t = token != null ? token : System.getenv(ServerSettings.ENV_TOKEN);
    if (retentionMinutes < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--retention-minutes must be at least 1, got " + retentionMinutes);
    }
    ServerSettings settings = new ServerSettings(host, port, outputDir, queue, maxCount, maxSteps, maxPromptChars, maxBodyBytes, t,
        Duration.ofMinutes(retentionMinutes), warm, pipelines, Duration.ofSeconds(Math.max(0, graceSeconds)), maxBatch,
        Duration.ofMillis(maxWaitMs));
    OutputFolder folder = overwrite.check(outputDir, "--output-dir", files());
    try (Tessera tessera = Tessera.open(root.pluginsDir())) {
      folder.prepare();
      CountDownLatch stopped = new CountDownLatch(1);
      GenerationServer server = GenerationServer.start(tessera, settings, line -> {
        out.println(line);
        out.flush();
      });
      Runnable stop = () -> {
        out.println("stopping: no new jobs; the running one has " + graceSeconds + " s");
        out.flush();
        server.close();
        stopped.countDown();
      };
      for (String signal : new String[] {"TERM", "INT"}) {
        sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> new Thread(stop, "tessera-stop").start());
      }
      out.println("serving on http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port() + "/  (jobs in "
          + outputDir + "; Ctrl-C stops)");
      out.flush();
      stopped.await();
      out.println("stopped");
      out.flush();
      return 0;
    }
  }
}
