package dev.tessera.runtime.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/** The tensors one step feeds, and their owner: closed when the step is over. */
final class StepFeeds implements AutoCloseable {
  private final List<Operand<?>> inputs = new ArrayList<>();
  private final List<Tensor> values = new ArrayList<>();

  /** Feeds {@code value} to {@code input} on every runner; this object closes it. */
  void add(Operand<?> input, Tensor value) {
    inputs.add(input);
    values.add(value);
  }

  /** {@code runner} with every feed added. */
  Session.Runner feed(Session.Runner runner) {
    for (int i = 0; i < inputs.size(); i++) {
      runner.feed(inputs.get(i), values.get(i));
    }
    return runner;
  }

  @Override
  public void close() {
    values.forEach(Tensor::close);
  }
}
