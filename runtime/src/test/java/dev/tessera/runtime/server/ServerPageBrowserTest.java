package dev.tessera.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.runtime.cli.fixtures.TinyGrayImages;
import dev.tessera.runtime.cli.fixtures.TinyGrayPipeline;
import dev.tessera.runtime.cli.fixtures.TinyPlugin;
import dev.tessera.runtime.cli.fixtures.TinySlowPipeline;
import dev.tessera.runtime.embed.Tessera;
import dev.tessera.runtime.testing.TestPluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real browser (headless Chromium through Debian's chromium-driver; skipped
 * where it is missing, .ci/run installs it): type a prompt, submit, watch the progress bar move
 * and the images appear; a side-by-side of two pipelines; cancel a job. A screenshot goes to
 * target/serve-page.png.
 */
class ServerPageBrowserTest {
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  @TempDir Path tmp;
  Tessera tessera;
  GenerationServer server;
  ChromeDriver browser;

  @BeforeEach
  void setUp() {
    assumeTrue(Files.isExecutable(DRIVER) && Files.isExecutable(CHROMIUM), "no chromium-driver (apt-get install chromium-driver)");
    Path plugins = tmp.resolve("plugins");
    TestPluginJars.plugin("gray", TinyPlugin.class).extensions(TinyGrayPipeline.class, TinySlowPipeline.class).bundle(TinyGrayImages.class)
        .writeTo(plugins, "gray.jar");
    tessera = Tessera.open(plugins);
    server = GenerationServer.start(tessera, ServerSettings.defaults(tmp.resolve("out")).withPort(0), line -> {});
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,1000");
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build(), options);
  }

  @AfterEach
  void tearDown() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (tessera != null) {
      tessera.close();
    }
  }

  WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(20));
  }

  void open() {
    browser.get("http://127.0.0.1:" + server.port() + "/");
    waitUpTo(20).until(d -> d.findElements(By.cssSelector("#pipeline option")).size() >= 2);
  }

  void option(String key, String value) {
    WebElement input = browser.findElement(By.id("opt-" + key));
    input.clear();
    input.sendKeys(value);
  }

  @Test
  void typeAPromptSeeTheProgressBarMoveAndTheImagesAppear() throws Exception {
    open();
    browser.findElement(By.id("prompt")).sendKeys("a gray square");
    new Select(browser.findElement(By.id("pipeline"))).selectByValue("tiny-slow");
    option("steps", "40");
    option("step_millis", "40");
    WebElement count = browser.findElement(By.id("count"));
    count.clear();
    count.sendKeys("3");
    browser.findElement(By.id("submit")).click();
    WebElement job = waitUpTo(20).until(d -> d.findElements(By.cssSelector("#results .job")).stream().findFirst().orElse(null));
    waitUpTo(20).until(d -> {
      double v = Double.parseDouble(job.findElement(By.tagName("progress")).getDomProperty("value"));
      return v > 0 && v < 40;
    });
    waitUpTo(30).until(d -> job.findElements(By.cssSelector(".grid img")).size() == 3);
    assertEquals("done", job.getDomAttribute("data-state"));
    waitUpTo(10).until(d -> job.findElement(By.cssSelector(".grid img")).getDomProperty("naturalWidth").equals("4"));
    assertTrue(job.findElement(By.cssSelector(".grid img")).getDomAttribute("alt").contains("a gray square"));
    waitUpTo(10).until(d -> d.findElement(By.id("history")).getText().contains("a gray square"));
    Files.write(Path.of("target", "serve-page.png"), browser.getScreenshotAs(OutputType.BYTES));
    // A reload shows the latest finished job again; the history opens any job.
    open();
    waitUpTo(20).until(d -> d.findElements(By.cssSelector("#results .job .grid img")).size() == 3);
    browser.findElement(By.cssSelector("#history button")).click();
    waitUpTo(20).until(d -> d.findElements(By.cssSelector("#results .job .grid img")).size() == 3
        && d.findElements(By.cssSelector("#results .job")).size() == 1);
  }

  @Test
  void aSideBySideRunsTheSamePromptThroughTwoPipelines() {
    open();
    browser.findElement(By.id("prompt")).sendKeys("side by side");
    for (WebElement box : browser.findElements(By.cssSelector("#compare-choices input"))) {
      if (List.of("tiny-gray", "tiny-slow").contains(box.getDomAttribute("value"))) {
        box.click();
      }
    }
    browser.findElement(By.id("side-by-side")).click();
    waitUpTo(30).until(d -> d.findElements(By.cssSelector("#results .columns .job[data-state='done']")).size() == 2);
    List<WebElement> columns = browser.findElements(By.cssSelector("#results .columns .job h3"));
    assertTrue(columns.stream().anyMatch(h -> h.getText().startsWith("tiny-gray")) && columns.stream().anyMatch(h -> h.getText().startsWith("tiny-slow")));
  }

  @Test
  void cancelAJob() {
    open();
    browser.findElement(By.id("prompt")).sendKeys("never finished");
    new Select(browser.findElement(By.id("pipeline"))).selectByValue("tiny-slow");
    option("steps", "1000");
    option("step_millis", "50");
    browser.findElement(By.id("submit")).click();
    WebElement job = waitUpTo(20).until(d -> d.findElements(By.cssSelector("#results .job[data-state='running']")).stream().findFirst().orElse(null));
    job.findElement(By.className("cancel")).click();
    waitUpTo(20).until(d -> "cancelled".equals(job.getDomAttribute("data-state")));
    assertTrue(job.findElement(By.className("status")).getText().startsWith("cancelled"), job.getText());
  }

  @Test
  void aValueOutOfRangeIsStoppedByTheFormAndTheServersRefusalIsShown() {
    open();
    browser.findElement(By.id("prompt")).sendKeys("x");
    new Select(browser.findElement(By.id("pipeline"))).selectByValue("tiny-gray");
    option("level", "7"); // the form knows the range from /v1/pipelines
    browser.findElement(By.id("submit")).click();
    assertEquals(Boolean.FALSE, browser.executeScript("return document.getElementById('opt-level').validity.valid"));
    assertTrue(browser.findElements(By.cssSelector("#results .job")).isEmpty(), "nothing was sent");
    option("level", "0.5");
    WebElement count = browser.findElement(By.id("count"));
    count.clear();
    count.sendKeys("17"); // above the server's --max-count
    browser.findElement(By.id("submit")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("error")).getText().startsWith("count: "));
  }
}
