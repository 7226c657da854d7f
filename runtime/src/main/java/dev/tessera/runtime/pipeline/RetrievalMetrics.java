package dev.tessera.runtime.pipeline;

import dev.tessera.api.types.Embedding;

/**
 * Cross-modal retrieval metrics: with text i describing image i, recall@k is the share of texts
 * whose image ranks in the top k of all images by cosine similarity (text -> image), and the
 * reverse (image -> text). Chance level of recall@k is k / n.
 */
public final class RetrievalMetrics {
  private RetrievalMetrics() {}

  /** Share of queries whose match ranks within the top k of the gallery. Rows must correspond. */
  public static double recallAtK(Embedding queries, Embedding gallery, int k) {
    if (queries.count() != gallery.count() || queries.dim() != gallery.dim()) {
      throw new IllegalArgumentException("queries and gallery must pair up: " + queries.count() + "x" + queries.dim()
          + " vs " + gallery.count() + "x" + gallery.dim());
    }
    int n = queries.count();
    int hits = 0;
    for (int q = 0; q < n; q++) {
      float own = queries.dot(q, gallery, q);
      int better = 0;
      for (int g = 0; g < n && better < k; g++) {
        if (g != q && queries.dot(q, gallery, g) > own) {
          better++;
        }
      }
      if (better < k) {
        hits++;
      }
    }
    return n == 0 ? Double.NaN : (double) hits / n;
  }

}
