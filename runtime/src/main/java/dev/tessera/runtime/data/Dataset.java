package dev.tessera.runtime.data;

import dev.tessera.api.types.ImageBatch;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An in-memory set of images with optional integer class labels.
 *
 * @param name short identifier used in logs, e.g. {@code fashion-mnist-train}
 * @param images the images
 * @param labels one label per image, or {@code null} for an unlabeled set; not copied
 * @param classNames label index to name; empty when unknown (never null)
 */
public record Dataset(String name, ImageBatch images, int[] labels, List<String> classNames) {
  public Dataset {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(images, "images");
    classNames = classNames == null ? List.of() : List.copyOf(classNames);
    if (labels != null) {
      if (labels.length != images.count()) {
        throw new IllegalArgumentException(
            "dataset " + name + ": " + labels.length + " labels for " + images.count()
                + " images");
      }
      if (!classNames.isEmpty()) {
        // Catch bad labels here rather than as an index error deep inside training.
        for (int i = 0; i < labels.length; i++) {
          if (labels[i] < 0 || labels[i] >= classNames.size()) {
            throw new IllegalArgumentException(
                "dataset " + name + ": label " + labels[i] + " at index " + i
                    + " is outside 0.." + (classNames.size() - 1));
          }
        }
      }
    }
  }

  /** An unlabeled dataset. */
  public static Dataset unlabeled(String name, ImageBatch images) {
    return new Dataset(name, images, null, List.of());
  }

  public int size() {
    return images.count();
  }

  public boolean hasLabels() {
    return labels != null;
  }

  /** The first {@code min(n, size())} examples (copied), e.g. for a quick run on a subset. */
  /** The first {@code limit} examples, or all of them for 0 (the command line's {@code --limit}). */
  public Dataset upTo(int limit) {
    return limit == 0 ? this : first(limit);
  }

  public Dataset first(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    if (n >= size()) {
      return this;
    }
    return new Dataset(
        name, images.slice(0, n), labels == null ? null : Arrays.copyOf(labels, n), classNames);
  }

  /** The examples at {@code indices}, in that order (copied). */
  public Dataset select(int[] indices) {
    int[] l = null;
    if (labels != null) {
      l = new int[indices.length];
      for (int i = 0; i < indices.length; i++) {
        l[i] = labels[indices[i]];
      }
    }
    return new Dataset(name, images.select(indices), l, classNames);
  }

  @Override
  public String toString() {
    return "Dataset[" + name + ", " + images + (labels == null ? ", unlabeled" : "")
        + ", " + classNames.size() + " classes]";
  }
}
