package dev.tessera.runtime.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.runtime.evaluation.GenerationScorer;
import dev.tessera.api.pipeline.TrainingRuns;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's text: escaping, spreads across seeds, failed rows. */
class ComparisonReportTest {
  static GenerationScorer.SetScore score(double acc, double fid) {
    return new GenerationScorer.SetScore(List.of(), 10, acc, fid, 1, 100, 0.5, 2, 3, 0, 0, List.of());
  }

  static Comparison.PipelineResult ok(String name, Map<Long, GenerationScorer.SetScore> perSeed) {
    return new Comparison.PipelineResult(name, null, Map.of("steps", 50), score(0.8, 12), perSeed, 1.5, 0.25, 1234, 600.0,
        new TrainingRuns("train x", List.of(new TrainingRuns.Run(0, 500, 0.8, 10), new TrainingRuns.Run(1, 500, 0.6, 20))),
        List.of(new Comparison.Sample("a <b> & \"c\"", 1, name + "/seed-1/00-a/grid.png", name + "/seed-1/00-a/manifest.json")));
  }

  @Test
  void spreadIsTheSampleStandardDeviationAcrossSeeds() {
    Map<Long, GenerationScorer.SetScore> perSeed = new LinkedHashMap<>();
    perSeed.put(1L, score(0.7, 10));
    perSeed.put(2L, score(0.9, 14));
    Comparison.PipelineResult p = ok("x", perSeed);
    assertEquals(Math.sqrt(0.02), ComparisonReport.spread(p, GenerationScorer.SetScore::conditionalAccuracy), 1e-9);
    assertEquals(Math.sqrt(8), ComparisonReport.spread(p, GenerationScorer.SetScore::fid), 1e-9);
    assertTrue(Double.isNaN(ComparisonReport.spread(ok("y", Map.of(1L, score(1, 1))), GenerationScorer.SetScore::fid)));
  }

  @Test
  void htmlEscapesTextAndMarkdownShowsFailures() {
    Comparison.PipelineResult failed = new Comparison.PipelineResult("bad|name", "boom <script>", Map.of(), null, Map.of(), Double.NaN,
        Double.NaN, 0, null, null, List.of());
    Comparison.Result r = new Comparison.Result(List.of("a <b> & \"c\""), List.of(1L), 2, List.of(ok("good", Map.of()), failed));
    String html = ComparisonReport.html(r);
    assertTrue(html.contains("a &lt;b&gt; &amp; &quot;c&quot;"), html);
    assertTrue(html.contains("failed: boom &lt;script&gt;"), html);
    String md = ComparisonReport.markdown(r);
    assertTrue(md.contains("| bad\\|name | failed: boom <script> |"), md);
    assertTrue(md.contains("| good | 12.0 (1.0 / 100) | 0.800 |"), md);
    assertTrue(md.contains("600 s"), md);
    assertTrue(md.contains("| 0.141 (2 runs of 500 steps) |"), md);
    assertTrue(md.contains("not recorded"), md);
    String json = ComparisonReport.json(r);
    assertTrue(json.contains("\"error\" : \"boom <script>\""), json);
    assertTrue(json.contains("\"training_seconds\" : 600.0"), json);
    assertTrue(json.contains("\"accuracy_spread_across_training_seeds\" : 0.1414"), json);
  }

  static Comparison.PipelineResult scored(String name, double acc, double fid, double secondsPerImage, int imagesPerPrompt) {
    List<GenerationScorer.PromptScore> prompts = List.of(
        new GenerationScorer.PromptScore("a bag", imagesPerPrompt, 8, acc, fid + 10, 50, 900, 0.7, 80, 85, 0, false, null),
        new GenerationScorer.PromptScore("a shoe", imagesPerPrompt, 7, acc / 2, fid + 20, 50, 900, 0.6, 70, 85, 0, false, null));
    GenerationScorer.SetScore s = new GenerationScorer.SetScore(prompts, 2 * imagesPerPrompt, acc, fid, 40, 7000, 0.7, 75, 86, 0, 0, List.of());
    return new Comparison.PipelineResult(name, null, Map.of(), s, Map.of(1L, s), 1, secondsPerImage, 10, null, null,
        List.of(new Comparison.Sample("a bag", 1, name + "/bag.png", name + "/bag.json"),
            new Comparison.Sample("a shoe", 1, name + "/shoe.png", name + "/shoe.json")));
  }

  @Test
  void theReportMarksEachColumnsBestShowsAccuracyPerPromptAndSamplesSideBySide() throws Exception {
    Comparison.Result r = new Comparison.Result(List.of("a bag", "a shoe"), List.of(1L), 100,
        List.of(scored("fast", 0.6, 300, 0.001, 100), scored("good", 0.9, 150, 0.2, 100)));
    java.util.Map<Integer, Integer> best = ComparisonReport.bestRows(r.pipelines());
    assertEquals(1, best.get(1)); // FID: the lower
    assertEquals(1, best.get(2)); // accuracy
    assertEquals(0, best.get(7)); // s/image: the lower
    assertEquals(0, best.get(8)); // images/s
    String html = ComparisonReport.html(r);
    org.w3c.dom.Document doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new java.io.ByteArrayInputStream(html.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(4 + 2, doc.getElementsByTagName("img").getLength(), "two plots and a grid per pipeline and prompt");
    assertTrue(html.contains("<td class=\"best\">150.0 (40.0 / 7000)</td>"), html);
    assertTrue(html.contains("id=\"per-prompt\""), html);
    assertTrue(html.contains("hsl(108,70%,78%)\">0.90<br/><small>div. 80.0, FID 160.0</small>"), html);
    assertTrue(html.contains("hsl(36,70%,78%)\">0.30"), html);
    // With fewer than 100 images per prompt no per-prompt FID is shown.
    String small = ComparisonReport.html(new Comparison.Result(List.of("a bag", "a shoe"), List.of(1L), 10,
        List.of(scored("fast", 0.6, 300, 0.001, 10), scored("good", 0.9, 150, 0.2, 10))));
    assertTrue(small.contains("div. 80.0</small>") && !small.contains(", FID"), small);
    // One measured row: nothing to mark.
    assertTrue(ComparisonReport.bestRows(List.of(scored("only", 0.5, 1, 1, 1))).isEmpty());
  }

  @Test
  void theQualityVsSpeedPlotIsWrittenWithALogTimeAxis(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Comparison.Result r = new Comparison.Result(List.of("a bag", "a shoe"), List.of(1L), 100,
        List.of(scored("fast", 0.6, 300, 0.0003, 100), scored("good", 0.9, 150, 5, 100)));
    java.nio.file.Path png = dir.resolve("plots/q.png");
    ComparisonCharts.qualityVsSpeed(r, png);
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertEquals(640, image.getWidth());
  }

  @Test
  void slugsAreSafeFolderNames() {
    assertEquals("a-photo-of-a-t-shirt", Comparison.slug("A photo of a T-shirt!"));
    assertEquals("prompt", Comparison.slug("???"));
    assertEquals(40, Comparison.slug("x".repeat(100)).length());
  }

  @Test
  void attributeControlRowsGoIntoTheTables() {
    List<dev.tessera.runtime.evaluation.AttributeControl.Row> rows = List.of(
        new dev.tessera.runtime.evaluation.AttributeControl.Row(4, 0, 0.3, 0.7, 0.35, 0.6),
        new dev.tessera.runtime.evaluation.AttributeControl.Row(8, 2, 0.4, 0.6, 0.5, 0.5));
    GenerationScorer.SetScore s = new GenerationScorer.SetScore(List.of(), 10, 0.9, 100, 40, 7000, 0.7, 75, 86, 0, 0, rows);
    Comparison.PipelineResult p = new Comparison.PipelineResult("gan", null, Map.of(), s, Map.of(1L, s), 1, 0.01, 10, null, null, List.of());
    Comparison.Result r = new Comparison.Result(List.of("a photo of a dark coat"), List.of(1L), 10, List.of(p));
    String md = ComparisonReport.markdown(r);
    assertTrue(md.contains("## Attribute control: gan"), md);
    assertTrue(md.contains("| coat | brightness (dark / light) | 0.300 / 0.700 | 0.350 / 0.600 | 0.63 | yes |"), md);
    assertTrue(md.contains("| bag | size (small / large) | 0.400 / 0.600 | 0.500 / 0.500 | 0.00 | **no** |"), md);
    assertTrue(md.contains("1 of 2 rows pass"), md);
    String json = ComparisonReport.json(r);
    assertTrue(json.contains("\"attribute_control_passed\" : 1"), json);
    assertTrue(json.contains("\"attribute\" : \"brightness\""), json);
  }
}
