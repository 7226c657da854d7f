package dev.tessera.runtime.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
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

  /**
   * Quality (FID, lower is better) against speed (seconds per image, on a log axis: the pipelines
   * here differ by three orders of magnitude), one labelled point per pipeline, with the real-data
   * floor (real images' FID at the same n) as a line.
   */
  static void qualityVsSpeed(Comparison.Result result, Path file) {
    XYSeriesCollection data = new XYSeriesCollection();
    double floor = Double.NaN;
    double lowest = Double.POSITIVE_INFINITY;
    double highest = 0;
    for (Comparison.PipelineResult p : result.pipelines()) {
      if (p.score() != null && Double.isFinite(p.secondsPerImage()) && p.secondsPerImage() > 0 && Double.isFinite(p.score().fid())) {
        XYSeries s = new XYSeries(p.pipeline());
        s.add(p.secondsPerImage(), p.score().fid());
        data.addSeries(s);
        lowest = Math.min(lowest, p.score().fid());
        highest = Math.max(highest, p.score().fid());
        if (Double.isFinite(p.score().fidFloor())) {
          floor = p.score().fidFloor();
        }
      }
    }
    JFreeChart chart = ChartFactory.createScatterPlot("Quality vs speed", "seconds per image (log scale)", "FID (lower is better)", data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    LogAxis seconds = new LogAxis("seconds per image (log scale)");
    seconds.setSmallestValue(1e-5);
    seconds.setNumberFormatOverride(new java.text.DecimalFormat("0.####"));
    seconds.setUpperMargin(0.2); // room for the labels of the slowest points
    seconds.setLowerMargin(0.1);
    plot.setDomainAxis(seconds);
    XYItemRenderer renderer = plot.getRenderer();
    renderer.setDefaultItemLabelGenerator((dataset, series, item) -> dataset.getSeriesKey(series).toString());
    renderer.setDefaultItemLabelsVisible(true);
    if (Double.isFinite(floor)) {
      ValueMarker marker = new ValueMarker(floor, java.awt.Color.GRAY, new java.awt.BasicStroke(1.5f));
      marker.setLabel(String.format(java.util.Locale.ROOT, "real-data floor %.1f", floor));
      marker.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
      marker.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
      plot.addRangeMarker(marker);
      if (data.getSeriesCount() > 0) {
        // The automatic range fits the points only: keep the floor in view.
        double from = Math.max(0, Math.min(floor, lowest) * 0.9);
        plot.getRangeAxis().setRange(from, Math.max(highest, floor) * 1.1 + 1);
      }
    }
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
