package dev.tessera.runtime.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's plots, drawn with JFreeChart to PNG files (headless, no display needed). */
final class ComparisonCharts {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private ComparisonCharts() {}

  /** Quality (FID, lower is better) against speed (seconds per image), one point per pipeline. */
  static void qualityVsSpeed(Comparison.Result result, Path file) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Comparison.PipelineResult p : result.pipelines()) {
      if (p.score() != null && Double.isFinite(p.secondsPerImage())) {
        XYSeries s = new XYSeries(p.pipeline());
        s.add(p.secondsPerImage(), p.score().fid());
        data.addSeries(s);
      }
    }
    JFreeChart chart = ChartFactory.createScatterPlot("Quality vs speed", "seconds per image", "FID (lower is better)", data,
        PlotOrientation.VERTICAL, true, false, false);
    save(chart, file);
  }

  /** Diversity per pipeline next to the real data's at the same n. */
  static void diversity(Comparison.Result result, Path file) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Comparison.PipelineResult p : result.pipelines()) {
      if (p.score() != null) {
        data.addValue(p.score().diversity(), "generated", p.pipeline());
        data.addValue(p.score().realDiversity(), "real images", p.pipeline());
      }
    }
    JFreeChart chart = ChartFactory.createBarChart("Diversity per pipeline", "pipeline", "mean pairwise feature distance", data,
        PlotOrientation.VERTICAL, true, false, false);
    save(chart, file);
  }

  private static void save(JFreeChart chart, Path file) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 640, 420);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plot " + file, e);
    }
  }
}
