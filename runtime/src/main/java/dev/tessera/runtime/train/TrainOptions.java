package dev.tessera.runtime.train;

import java.nio.file.Path;

/**
 * How to run one training job.
 *
 * @param steps total optimizer steps (a resumed run continues up to this number)
 * @param batchSize images per step (0: the model config's batch_size)
 * @param learningRate peak learning rate (0: the model config's learning_rate)
 * @param schedule "constant" or "cosine" (decays to 10% of the peak at the last step)
 * @param seed seeds initialisation, batch sampling and hooks
 * @param checkpointEvery steps between checkpoints
 * @param logEvery steps between log lines (and progress updates when no terminal is attached)
 * @param outDir where config.json, model.safetensors, checkpoint.safetensors and train-log.csv go
 * @param resume continue from outDir's checkpoint with its optimizer state
 * @param clipNorm global gradient-norm clip (0: off)
 * @param device cpu, gpu or gpu:N
 */
public record TrainOptions(
    long steps,
    int batchSize,
    double learningRate,
    String schedule,
    long seed,
    long checkpointEvery,
    long logEvery,
    Path outDir,
    boolean resume,
    double clipNorm,
    String device) {

  public static TrainOptions defaults(Path outDir) {
    return new TrainOptions(1000, 0, 0, "constant", 0, 500, 50, outDir, false, 0, "cpu");
  }

  public TrainOptions withSteps(long s) {
    return new TrainOptions(s, batchSize, learningRate, schedule, seed, checkpointEvery, logEvery, outDir, resume, clipNorm, device);
  }

  public TrainOptions withResume(boolean r) {
    return new TrainOptions(steps, batchSize, learningRate, schedule, seed, checkpointEvery, logEvery, outDir, r, clipNorm, device);
  }

  public TrainOptions withCheckpointEvery(long n) {
    return new TrainOptions(steps, batchSize, learningRate, schedule, seed, n, logEvery, outDir, resume, clipNorm, device);
  }

  public TrainOptions withBatchSize(int b) {
    return new TrainOptions(steps, b, learningRate, schedule, seed, checkpointEvery, logEvery, outDir, resume, clipNorm, device);
  }

  public TrainOptions withLearningRate(double lr) {
    return new TrainOptions(steps, batchSize, lr, schedule, seed, checkpointEvery, logEvery, outDir, resume, clipNorm, device);
  }
}
