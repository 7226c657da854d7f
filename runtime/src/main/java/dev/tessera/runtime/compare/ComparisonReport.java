package dev.tessera.runtime.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.io.AtomicFiles;
import dev.tessera.runtime.evaluation.GenerationScorer;
import dev.tessera.runtime.pipeline.GenerationOutput;
import dev.tessera.api.pipeline.TrainingRuns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Writes a comparison as {@code table.json}, {@code table.md} and {@code index.html} (the table,
 * the plots and one image grid per pipeline, prompt and seed). Every number comes from the run. The
 * HTML is also well-formed XML (XHTML syntax), so tests can parse it strictly.
 */
public final class ComparisonReport {
  public static final String PLOT_QUALITY_SPEED = "plots/quality-vs-speed.png";
  public static final String PLOT_DIVERSITY = "plots/diversity.png";

  /**
   * Every file a compare run writes in its folder (the report, the plots, and each pipeline's
   * LABEL/seed-N/NN-prompt/ generate output), temporary files included: what --overwrite may replace.
   */
  public static final List<String> FILES = files();

  private static List<String> files() {
    List<String> f = new ArrayList<>(List.of("table.json", "table.md", "index.html", "table.json.tmp-*", "table.md.tmp-*",
        "index.html.tmp-*", "plots/*.png", "plots/*.png.tmp"));
    for (String g : GenerationOutput.FILES) {
      f.add("*/seed-*/[0-9]*-*/" + g);
    }
    return List.copyOf(f);
  }
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ComparisonReport() {}

  public static void write(Comparison.Result result, Path dir) {
    ComparisonCharts.qualityVsSpeed(result, dir.resolve(PLOT_QUALITY_SPEED));
    ComparisonCharts.diversity(result, dir.resolve(PLOT_DIVERSITY));
    writeAtomically(dir.resolve("table.json"), json(result));
    writeAtomically(dir.resolve("table.md"), markdown(result));
    writeAtomically(dir.resolve("index.html"), html(result));
  }

  static String json(Comparison.Result r) {
    ObjectNode root = JSON.createObjectNode();
    root.set("prompts", JSON.valueToTree(r.prompts()));
    root.set("seeds", JSON.valueToTree(r.seeds()));
    root.put("images_per_prompt_and_seed", r.imagesPerPrompt());
    ArrayNode rows = root.putArray("pipelines");
    for (Comparison.PipelineResult p : r.pipelines()) {
      ObjectNode o = rows.addObject();
      o.put("pipeline", p.pipeline());
      if (p.error() != null) {
        o.put("error", p.error());
      }
      o.set("settings", JSON.valueToTree(p.settings()));
      GenerationScorer.SetScore s = p.score();
      if (s != null) {
        o.put("images", s.images());
        put(o, "fid", s.fid());
        put(o, "fid_floor_real_at_n", s.fidFloor());
        put(o, "fid_ceiling_noise_at_n", s.fidCeiling());
        put(o, "conditional_accuracy", s.conditionalAccuracy());
        put(o, "clip_score", s.clipScore());
        put(o, "diversity", s.diversity());
        put(o, "diversity_real_at_n", s.realDiversity());
        o.put("near_duplicates", s.nearDuplicates());
        o.put("mode_collapse_warnings", s.modeCollapseWarnings());
        put(o, "accuracy_spread_across_seeds", spread(p, GenerationScorer.SetScore::conditionalAccuracy));
        put(o, "fid_spread_across_seeds", spread(p, GenerationScorer.SetScore::fid));
        if (!s.attributeControl().isEmpty()) {
          ArrayNode control = o.putArray("attribute_control");
          for (dev.tessera.runtime.evaluation.AttributeControl.Row row : s.attributeControl()) {
            ObjectNode a = control.addObject();
            a.put("class", row.className());
            a.put("attribute", row.attributeName());
            put(a, "real_low", row.realLow());
            put(a, "real_high", row.realHigh());
            put(a, "generated_low", row.generatedLow());
            put(a, "generated_high", row.generatedHigh());
            put(a, "ratio", row.ratio());
            a.put("passes", row.passes());
          }
          o.put("attribute_control_passed", s.attributeControl().stream().filter(dev.tessera.runtime.evaluation.AttributeControl.Row::passes).count());
        }
        ArrayNode perPrompt = o.putArray("per_prompt");
        for (GenerationScorer.PromptScore ps : s.prompts()) {
          ObjectNode q = perPrompt.addObject();
          q.put("prompt", ps.prompt());
          q.put("target_class", ps.targetClass() < 0 ? null : dev.tessera.runtime.data.FashionMnistCaptions.CLASS_PROMPT_NAMES.get(ps.targetClass()));
          put(q, "conditional_accuracy", ps.conditionalAccuracy());
          put(q, "clip_score", ps.clipScore());
          put(q, "diversity", ps.diversity());
          q.put("mode_collapse_warning", ps.modeCollapse());
        }
      }
      put(o, "seconds_per_image", p.secondsPerImage());
      put(o, "images_per_second", 1 / p.secondsPerImage());
      put(o, "load_seconds", p.loadSeconds());
      o.put("parameters", p.parameters());
      if (p.trainingSeconds() != null) {
        o.put("training_seconds", p.trainingSeconds());
      }
      if (p.trainingRuns() != null) {
        o.set("training_runs", JSON.valueToTree(p.trainingRuns()));
        put(o, "accuracy_spread_across_training_seeds", p.trainingRuns().accuracySpread());
        put(o, "fid_spread_across_training_seeds", p.trainingRuns().fidSpread());
      }
      ArrayNode samples = o.putArray("samples");
      p.samples().forEach(x -> samples.addObject().put("prompt", x.prompt()).put("seed", x.seed()).put("grid", x.grid())
          .put("manifest", x.manifest()));
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Standard deviation of a pooled metric across sampling seeds (NaN with one seed). */
  static double spread(Comparison.PipelineResult p, ToDoubleFunction<GenerationScorer.SetScore> metric) {
    return TrainingRuns.standardDeviation(p.perSeed().values().stream().mapToDouble(metric).toArray());
  }


  private static void put(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, Math.round(v * 1e4) / 1e4);
    } else {
      o.putNull(key);
    }
  }

  static final String[] HEADER = {"pipeline", "FID (floor / ceiling)", "cond. acc.", "CLIP score", "diversity (real)", "near-dup.",
      "collapse warnings", "s/image", "images/s", "parameters", "training", "acc. spread (sampling seeds)",
      "acc. spread (training seeds)"};

  static List<String> cells(Comparison.PipelineResult p) {
    GenerationScorer.SetScore s = p.score();
    String training = p.trainingSeconds() == null ? "not recorded" : String.format(Locale.ROOT, "%.0f s", p.trainingSeconds());
    if (s == null) {
      return List.of(p.pipeline(), "failed: " + p.error(), "", "", "", "", "", fmt(p.secondsPerImage(), 3), "", Long.toString(p.parameters()),
          training, "", "");
    }
    return List.of(p.pipeline(),
        String.format(Locale.ROOT, "%.1f (%.1f / %.0f)", s.fid(), s.fidFloor(), s.fidCeiling()),
        fmt(s.conditionalAccuracy(), 3), fmt(s.clipScore(), 3),
        String.format(Locale.ROOT, "%s (%s)", fmt(s.diversity(), 2), fmt(s.realDiversity(), 2)),
        Integer.toString(s.nearDuplicates()), Integer.toString(s.modeCollapseWarnings()),
        fmt(p.secondsPerImage(), 3), fmt(1 / p.secondsPerImage(), 2), String.format(Locale.ROOT, "%,d", p.parameters()), training,
        fmt(spread(p, GenerationScorer.SetScore::conditionalAccuracy), 3), trainingSpread(p.trainingRuns()));
  }

  /** "0.012 (3 runs of 5000 steps)", or "not recorded". */
  static String trainingSpread(TrainingRuns runs) {
    if (runs == null || runs.runs().isEmpty()) {
      return "not recorded";
    }
    long steps = runs.runs().get(0).steps();
    boolean same = runs.runs().stream().allMatch(r -> r.steps() == steps);
    return String.format(Locale.ROOT, "%s (%d runs%s)", fmt(runs.accuracySpread(), 3), runs.runs().size(), same ? " of " + steps + " steps" : "");
  }

  static String fmt(double v, int digits) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "n/a";
  }

  static String markdown(Comparison.Result r) {
    StringBuilder sb = new StringBuilder("# Comparison\n\n");
    sb.append(String.format(Locale.ROOT, "%d prompts x %d seed(s) x %d images per prompt and seed. FID: evaluator features against the "
        + "test images of the prompted classes, with the real-data floor and the noise ceiling at the same n.%n%n",
        r.prompts().size(), r.seeds().size(), r.imagesPerPrompt()));
    sb.append("| ").append(String.join(" | ", HEADER)).append(" |\n|");
    sb.append(" --- |".repeat(HEADER.length)).append('\n');
    for (Comparison.PipelineResult p : r.pipelines()) {
      sb.append("| ").append(String.join(" | ", cells(p).stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
    }
    for (Comparison.PipelineResult p : r.pipelines()) {
      if (p.score() != null && !p.score().attributeControl().isEmpty()) {
        sb.append("\n## Attribute control: ").append(p.pipeline()).append("\n\n")
            .append(dev.tessera.runtime.evaluation.AttributeControl.markdown(p.score().attributeControl()));
      }
    }
    return sb.toString();
  }

  static String html(Comparison.Result r) {
    StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>Tessera comparison</title>\n");
    sb.append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #bbb;padding:4px 8px}"
        + "td.best{font-weight:bold;background:#e4f4e4}table.heat td{text-align:center;min-width:5em}table.heat small{color:#333}"
        + "img.grid{image-rendering:pixelated;width:160px}.error{color:#b00}</style>\n</head>\n<body>\n");
    sb.append("<h1>Tessera comparison</h1>\n<p>").append(esc(String.format(Locale.ROOT, "%d prompts, seeds %s, %d images per prompt and seed.",
        r.prompts().size(), r.seeds(), r.imagesPerPrompt()))).append(" The best value of each measured column is marked.</p>\n<table id=\"scores\">\n<tr>");
    for (String h : HEADER) {
      sb.append("<th>").append(esc(h)).append("</th>");
    }
    sb.append("</tr>\n");
    java.util.Map<Integer, Integer> best = bestRows(r.pipelines());
    for (int i = 0; i < r.pipelines().size(); i++) {
      sb.append("<tr>");
      List<String> cells = cells(r.pipelines().get(i));
      for (int c = 0; c < cells.size(); c++) {
        sb.append(Integer.valueOf(i).equals(best.get(c)) ? "<td class=\"best\">" : "<td>").append(esc(cells.get(c))).append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n<h2>Plots</h2>\n");
    sb.append("<img src=\"").append(PLOT_QUALITY_SPEED).append("\" alt=\"quality vs speed\"/>\n");
    sb.append("<img src=\"").append(PLOT_DIVERSITY).append("\" alt=\"diversity per pipeline\"/>\n");
    heatMap(sb, r);
    sb.append("<h2>Samples</h2>\n");
    for (Comparison.PipelineResult p : r.pipelines()) {
      if (p.error() != null) {
        sb.append("<p class=\"error\">").append(esc(p.pipeline())).append(" failed: ").append(esc(p.error())).append("</p>\n");
      }
    }
    sb.append("<table id=\"samples\">\n<tr><th>prompt</th><th>seed</th>");
    for (Comparison.PipelineResult p : r.pipelines()) {
      sb.append("<th>").append(esc(p.pipeline())).append("</th>");
    }
    sb.append("</tr>\n");
    for (String prompt : r.prompts()) {
      for (long seed : r.seeds()) {
        sb.append("<tr><td>").append(esc(prompt)).append("</td><td>").append(seed).append("</td>");
        for (Comparison.PipelineResult p : r.pipelines()) {
          sb.append("<td>");
          p.samples().stream().filter(x -> x.prompt().equals(prompt) && x.seed() == seed).findFirst().ifPresent(x ->
              sb.append("<img class=\"grid\" src=\"").append(esc(x.grid())).append("\" alt=\"").append(esc(p.pipeline() + ": " + prompt))
                  .append("\"/>"));
          sb.append("</td>");
        }
        sb.append("</tr>\n");
      }
    }
    sb.append("</table>\n");
    return sb.append(IMAGE_CHECK).append("</body>\n</html>\n").toString();
  }

  /**
   * Column index -> the row holding its best value, for the columns where "best" means something:
   * FID, s/image (lowest); accuracy, CLIP score, diversity, images/s (highest). Ties and columns
   * with fewer than two measured rows are not marked.
   */
  static java.util.Map<Integer, Integer> bestRows(List<Comparison.PipelineResult> rows) {
    java.util.Map<Integer, Integer> best = new java.util.HashMap<>();
    mark(best, 1, rows, p -> p.score() == null ? Double.NaN : -p.score().fid());
    mark(best, 2, rows, p -> p.score() == null ? Double.NaN : p.score().conditionalAccuracy());
    mark(best, 3, rows, p -> p.score() == null ? Double.NaN : p.score().clipScore());
    mark(best, 4, rows, p -> p.score() == null ? Double.NaN : p.score().diversity());
    mark(best, 7, rows, p -> p.score() == null ? Double.NaN : -p.secondsPerImage());
    mark(best, 8, rows, p -> p.score() == null ? Double.NaN : 1 / p.secondsPerImage());
    return best;
  }

  private static void mark(java.util.Map<Integer, Integer> best, int column, List<Comparison.PipelineResult> rows,
      ToDoubleFunction<Comparison.PipelineResult> higherIsBetter) {
    int at = -1;
    int measured = 0;
    double top = Double.NEGATIVE_INFINITY;
    boolean tie = false;
    for (int i = 0; i < rows.size(); i++) {
      double v = higherIsBetter.applyAsDouble(rows.get(i));
      if (!Double.isFinite(v)) {
        continue;
      }
      measured++;
      if (v > top) {
        top = v;
        at = i;
        tie = false;
      } else if (v == top) {
        tie = true;
      }
    }
    if (measured >= 2 && !tie) {
      best.put(column, at);
    }
  }

  /**
   * Prompt x pipeline: the conditional accuracy of each prompt's images, as a heat map (red 0 to
   * green 1), with its diversity, and its FID where a prompt has at least 100 images (below that a
   * per-prompt FID says more about n than about the images).
   */
  private static void heatMap(StringBuilder sb, Comparison.Result r) {
    sb.append("<h2>Conditional accuracy per prompt</h2>\n<table class=\"heat\" id=\"per-prompt\">\n<tr><th>prompt</th>");
    for (Comparison.PipelineResult p : r.pipelines()) {
      sb.append("<th>").append(esc(p.pipeline())).append("</th>");
    }
    sb.append("</tr>\n");
    for (String prompt : r.prompts()) {
      sb.append("<tr><td>").append(esc(prompt)).append("</td>");
      for (Comparison.PipelineResult p : r.pipelines()) {
        GenerationScorer.PromptScore ps = p.score() == null ? null
            : p.score().prompts().stream().filter(x -> x.prompt().equals(prompt)).findFirst().orElse(null);
        if (ps == null || !Double.isFinite(ps.conditionalAccuracy())) {
          sb.append("<td>n/a</td>");
          continue;
        }
        sb.append(String.format(Locale.ROOT, "<td style=\"background:hsl(%.0f,70%%,78%%)\">%.2f<br/><small>div. %s", 120 * ps.conditionalAccuracy(),
            ps.conditionalAccuracy(), fmt(ps.diversity(), 1)));
        if (ps.images() >= 100 && Double.isFinite(ps.fid())) {
          sb.append(", FID ").append(fmt(ps.fid(), 1));
        }
        sb.append("</small></td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
  }

  /**
   * After the page loads, counts the images the browser could not decode, writes the counts to
   * the body's data-images and data-broken-images attributes (what a headless-browser check
   * reads) and, if any failed, says so at the top of the page.
   */
  static final String IMAGE_CHECK = """
      <script>
      //<![CDATA[
      window.addEventListener('load', function () {
        var images = document.images, broken = 0;
        for (var i = 0; i < images.length; i++) {
          if (!images[i].complete || images[i].naturalWidth === 0) { broken++; }
        }
        document.body.setAttribute('data-images', String(images.length));
        document.body.setAttribute('data-broken-images', String(broken));
        if (broken > 0) {
          var p = document.createElement('p');
          p.className = 'error';
          p.textContent = broken + ' of ' + images.length + ' images failed to load';
          document.body.insertBefore(p, document.body.firstChild);
        }
      });
      //]]>
      </script>
      """;

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static void writeAtomically(Path file, String text) {
    AtomicFiles.writeString(file, text);
  }

}
