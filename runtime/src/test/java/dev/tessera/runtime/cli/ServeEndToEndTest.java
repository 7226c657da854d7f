package dev.tessera.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.runtime.cli.fixtures.TinyGrayImages;
import dev.tessera.runtime.cli.fixtures.TinyGrayPipeline;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.cli.fixtures.TinySlowPipeline;
import dev.tessera.runtime.testing.TestPluginJars;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera serve} as a process: it prints where it listens, serves a job, and on SIGTERM
 * stops taking jobs, lets the running one finish, and exits 0. Its folder follows the output
 * rule of every command; a public address without a token is refused before anything starts.
 */
class ServeEndToEndTest {
  @TempDir Path tmp;

  Path plugins() {
    Path plugins = tmp.resolve("plugins");
    TestPluginJars.plugin("gray", TinyPlugin.class).extensions(TinyGrayPipeline.class, TinySlowPipeline.class).bundle(TinyGrayImages.class)
        .writeTo(plugins, "gray.jar");
    return plugins;
  }

  @Test
  void servesAJobAndOnSigtermFinishesItAndExitsZero() throws Exception {
    Path plugins = plugins();
    Path out = tmp.resolve("served");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
        System.getProperty("java.class.path"), TesseraCli.class.getName(), "--plugins-dir", plugins.toString(), "serve", "--port", "0",
        "--output-dir", out.toString(), "--pipelines", "tiny-gray").redirectErrorStream(true).start();
    try {
      BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder seen = new StringBuilder();
      int port = -1;
      for (String line; port < 0 && (line = in.readLine()) != null; ) {
        seen.append(line).append('\n');
        Matcher m = Pattern.compile("serving on http://127\\.0\\.0\\.1:(\\d+)/").matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
      assertTrue(port > 0, seen.toString());
      assertTrue(seen.toString().contains("pipeline tiny-gray ready"), seen.toString());
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"pipeline\": \"tiny-slow\", \"prompt\": \"x\", \"options\": {\"steps\": 20, "
              + "\"step_millis\": 50}}")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(202, r.statusCode(), r.body());
      String id = r.body().replaceAll(".*\"id\":\"([0-9a-f]+)\".*", "$1");
      Thread.sleep(300); // running now
      assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor()); // what a service manager sends
      StringBuilder after = new StringBuilder();
      for (String line; (line = in.readLine()) != null; ) {
        after.append(line).append('\n');
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve did not stop");
      String rest = after.toString();
      assertEquals(0, p.exitValue(), seen + rest);
      assertTrue(rest.contains("stopped"), rest);
      assertTrue(Files.exists(out.resolve("jobs").resolve(id).resolve("manifest.json")), "the running job was finished: " + rest);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aPublicAddressNeedsATokenAndABusyFolderIsRefused() throws Exception {
    Path plugins = plugins();
    CliRun open = CliRun.run(plugins, "serve", "--host", "0.0.0.0", "--port", "0", "--output-dir", tmp.resolve("a").toString());
    assertEquals(1, open.exit());
    assertTrue(open.err().contains("--token"), open.err());
    Path busy = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(busy.resolve("keep.txt"), "mine");
    CliRun refused = CliRun.run(plugins, "serve", "--port", "0", "--output-dir", busy.toString());
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains("is not empty"), refused.err());
    assertEquals(List.of("keep.txt"), Files.list(busy).map(f -> f.getFileName().toString()).toList());
  }
}
