package dev.tessera.runtime.pipeline;

import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.ImageBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-shot classification as in the CLIP paper (section 3.1.4): each label becomes prompts
 * through templates ("a photo of a {}"), the prompt embeddings of a label are averaged and
 * re-normalised, and an image takes the label of highest cosine similarity. Probabilities are a
 * softmax of 100 x cosine, as in OpenAI's zero-shot code.
 */
public final class ZeroShotClassifier {
  /** Scores of one image: cosine similarity and probability per label. */
  public record Prediction(int best, float[] cosine, float[] probability) {}

  private final EmbeddingPipeline encoder;
  private final List<String> labels;
  private final Embedding labelEmbeddings;

  public ZeroShotClassifier(EmbeddingPipeline encoder, List<String> labels, List<String> templates) {
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("no labels given");
    }
    if (templates.isEmpty()) {
      throw new IllegalArgumentException("no templates given");
    }
    for (String t : templates) {
      if (!t.contains("{}")) {
        throw new IllegalArgumentException("template '" + t + "' has no {} where the label goes");
      }
    }
    this.encoder = encoder;
    this.labels = List.copyOf(labels);
    List<String> prompts = new ArrayList<>();
    for (String label : labels) {
      for (String t : templates) {
        prompts.add(t.replace("{}", label));
      }
    }
    Embedding e = encoder.embedTexts(prompts);
    int dim = e.dim();
    float[] mean = new float[labels.size() * dim];
    for (int l = 0; l < labels.size(); l++) {
      for (int t = 0; t < templates.size(); t++) {
        float[] row = e.row(l * templates.size() + t);
        for (int d = 0; d < dim; d++) {
          mean[l * dim + d] += row[d];
        }
      }
      normalize(mean, l * dim, dim);
    }
    this.labelEmbeddings = new Embedding(labels.size(), dim, mean);
  }

  public List<String> labels() {
    return labels;
  }

  public List<Prediction> classify(ImageBatch images) {
    Embedding img = encoder.embedImages(images);
    List<Prediction> out = new ArrayList<>();
    for (int i = 0; i < img.count(); i++) {
      float[] cos = new float[labels.size()];
      int best = 0;
      for (int l = 0; l < labels.size(); l++) {
        float s = img.dot(i, labelEmbeddings, l);
        cos[l] = s;
        if (s > cos[best]) {
          best = l;
        }
      }
      out.add(new Prediction(best, cos, softmax(cos, 100f)));
    }
    return out;
  }

  static float[] softmax(float[] x, float scale) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : x) {
      max = Math.max(max, v * scale);
    }
    double sum = 0;
    float[] p = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      p[i] = (float) Math.exp(x[i] * scale - max);
      sum += p[i];
    }
    for (int i = 0; i < x.length; i++) {
      p[i] /= (float) sum;
    }
    return p;
  }

  private static void normalize(float[] v, int offset, int dim) {
    double n = 0;
    for (int d = 0; d < dim; d++) {
      n += v[offset + d] * v[offset + d];
    }
    float inv = (float) (1 / Math.sqrt(Math.max(n, 1e-24)));
    for (int d = 0; d < dim; d++) {
      v[offset + d] *= inv;
    }
  }
}
