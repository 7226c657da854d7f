package dev.tessera.runtime.train;

import dev.tessera.api.TesseraException;

/** The loss became NaN or infinite; the last good checkpoint on disk is left as it was. */
public class TrainingDivergedException extends TesseraException {
  private final long step;

  public TrainingDivergedException(String message, long step) {
    super(message);
    this.step = step;
  }

  public long step() {
    return step;
  }
}
