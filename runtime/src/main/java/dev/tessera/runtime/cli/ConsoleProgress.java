package dev.tessera.runtime.cli;

import dev.tessera.api.pipeline.GenerationPipeline;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on a terminal, a line per tenth of the work otherwise (logs, CI). */
final class ConsoleProgress implements GenerationPipeline.Progress, AutoCloseable {
  private final String task;
  private final PrintWriter out;
  private ProgressBar bar;
  private long lastTenth = -1;

  ConsoleProgress(String task, PrintWriter out) {
    this.task = task;
    this.out = out;
  }

  @Override
  public void update(long done, long total) {
    if (System.console() != null) {
      if (bar == null) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(250).build();
      }
      bar.maxHint(total);
      bar.stepTo(done);
      return;
    }
    long tenth = total == 0 ? 10 : done * 10 / total;
    if (tenth != lastTenth && (tenth > lastTenth)) {
      lastTenth = tenth;
      out.printf(Locale.ROOT, "%s: %d/%d (%d%%)%n", task, done, total, total == 0 ? 100 : done * 100 / total);
      out.flush();
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
