package dev.tessera.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.runtime.data.FashionMnistCaptions;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.evaluation.ImageEvaluator;
import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.runtime.pipeline.ZeroShotClassifier;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tessera classify}: zero-shot classification with a joint image/text encoder, or
 * classification by an evaluator classifier (fashion-classifier, twemoji-classifier) into the
 * classes its config.json names.
 */
@Command(name = "classify",
    footer = {"", "Examples:",
        "  ./tessera classify --dataset fashion-mnist",
        "  ./tessera classify --labels \"sneaker,bag,dress\" --input samples/images/fashion-mnist"}, mixinStandardHelpOptions = true,
    description = "Zero-shot classification (or an evaluator classifier's own classes): one JSON object per image (file, best label, scores); with --dataset, accuracy.")
final class ClassifyCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", defaultValue = "clip", description = "Model name. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--labels", split = ",", description = "Comma-separated labels (default with --dataset: its class names).")
  List<String> labels;

  @Option(names = "--template", description = "Prompt template with {} for the label; repeat to average several. "
      + "Default: 'a photo of a {}' (with --dataset fashion-mnist: the held-out evaluation templates).")
  List<String> templates;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--input", description = "Folder of PNG images.")
    Path input;

    @Option(names = "--dataset", description = "fashion-mnist (or, for twemoji-classifier, twemoji-subcategories): score the test split and print the accuracy.")
    String dataset;
  }

  @Option(names = "--words", description = "With --dataset fashion-mnist: labels are WordNet's words for the classes (FashionMnistLexicon) "
      + "instead of the class names: 'seen' (words training captions may use) or 'held-out' (words no training caption uses); an image "
      + "counts as right when the best word is one of its class's. Only classes that have such words are scored.")
  String words;

  @Option(names = "--limit", defaultValue = "0", description = "With --dataset: at most this many images (0: all). Default: ${DEFAULT-VALUE}.")
  int limit;

  @picocli.CommandLine.Mixin WeightsOptions weightsOptions;

  @Option(names = "--batch-size", defaultValue = "256", description = "Images per session run. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    dev.tessera.api.pipeline.PipelineOptions.BATCH_SIZE.checkInt(batchSize);
    Flags.LIMIT.checkInt(limit);
    PrintWriter out = spec.commandLine().getOut();
    ObjectMapper json = new ObjectMapper();
    try (PluginRuntime plugins = root.loadPlugins()) {
      Components components = root.components(plugins);
      ModelWeights w = weightsOptions.load(components, model);
      if (w.config().has("features")) { // an evaluator classifier: its own classes, no prompts
        if (labels != null || templates != null) {
          throw new TesseraException("--labels and --template are for zero-shot models; '" + model + "' classifies into the classes its config.json names");
        }
        classifyWithEvaluator(components, w, out, json);
        out.flush();
        return 0;
      }
      try (EmbeddingPipeline encoder = new EmbeddingPipeline(components, w, batchSize, weightsOptions.device)) {
        int size = w.config().getPositiveInt("image_size", 28);
        int channels = w.config().getPositiveInt("channels", 1);
        if (source.input != null) {
          if (labels == null || labels.isEmpty()) {
            throw new TesseraException("--labels is required with --input");
          }
          PngImages.PngFolder folder = PngImages.readFolder(source.input, size, size, channels, PngImages.ResizeMode.BILINEAR);
          ZeroShotClassifier classifier = new ZeroShotClassifier(encoder, trimmed(labels), templates != null ? templates : List.of("a photo of a {}"));
          List<ZeroShotClassifier.Prediction> predictions = classifier.classify(folder.images());
          for (int i = 0; i < predictions.size(); i++) {
            ZeroShotClassifier.Prediction p = predictions.get(i);
            ObjectNode o = json.createObjectNode();
            o.put("file", folder.fileNames().get(i));
            o.put("label", classifier.labels().get(p.best()));
            ObjectNode scores = o.putObject("scores");
            for (int l = 0; l < p.probability().length; l++) {
              scores.put(classifier.labels().get(l), Math.round(p.probability()[l] * 1e4) / 1e4);
            }
            out.println(json.writeValueAsString(o));
          }
        } else {
          if (!source.dataset.equals("fashion-mnist")) {
            throw new TesseraException("--dataset: only fashion-mnist is known, got '" + source.dataset + "'");
          }
          Dataset test = FashionMnist.load(null, FashionMnist.Split.TEST).upTo(limit);
          if (words != null) {
            classifyByWords(encoder, test, out, json);
            out.flush();
            return 0;
          }
          List<String> names = labels != null ? trimmed(labels) : FashionMnistCaptions.CLASS_PROMPT_NAMES;
          if (names.size() != FashionMnist.NUM_CLASSES) {
            throw new TesseraException("--labels must name the 10 Fashion-MNIST classes in order, got " + names.size());
          }
          List<String> used = templates != null ? templates : FashionMnistCaptions.EVALUATION_TEMPLATES;
          long start = System.nanoTime();
          List<ZeroShotClassifier.Prediction> predictions = new ZeroShotClassifier(encoder, names, used).classify(test.images());
          double seconds = (System.nanoTime() - start) / 1e9;
          Accuracy a = Accuracy.of(test.labels(), i -> predictions.get(i).best(), predictions.size(), names, true);
          ObjectNode o = json.createObjectNode();
          o.put("dataset", "fashion-mnist-test");
          o.put("images", predictions.size());
          o.put("top1", a.top1());
          o.putPOJO("templates", used);
          o.set("per_class_top1", json.valueToTree(a.perClass()));
          o.put("seconds", Math.round(seconds * 100) / 100.0);
          out.println(json.writeValueAsString(o));
        }
        out.flush();
        return 0;
      }
    }
  }

  /**
   * Zero-shot accuracy with WordNet's words for the classes as labels (--words seen|held-out): the
   * test images of the classes that have such words, each right when its best-scoring word is one
   * of its class's; per class, and the chance level (one over the classes scored).
   */
  private void classifyByWords(EmbeddingPipeline encoder, Dataset test, PrintWriter out, ObjectMapper json) {
    if (!words.equals("seen") && !words.equals("held-out")) {
      throw new TesseraException("--words must be seen or held-out, got '" + words + "'");
    }
    if (labels != null) {
      throw new TesseraException("--words and --labels: give one");
    }
    List<dev.tessera.runtime.data.FashionMnistLexicon.ClassWords> lexicon =
        dev.tessera.runtime.data.FashionMnistLexicon.build(dev.tessera.runtime.data.WordNet.debian());
    List<String> wordList = new java.util.ArrayList<>();
    List<Integer> classOf = new java.util.ArrayList<>();
    java.util.Set<Integer> scored = new java.util.TreeSet<>();
    for (int c = 0; c < lexicon.size(); c++) {
      List<String> w = words.equals("seen") ? lexicon.get(c).names() : lexicon.get(c).heldOut();
      for (String word : w) {
        wordList.add(word);
        classOf.add(c);
        scored.add(c);
      }
    }
    List<Integer> rows = new java.util.ArrayList<>();
    for (int i = 0; i < test.size(); i++) {
      if (scored.contains(test.labels()[i])) {
        rows.add(i);
      }
    }
    Dataset subset = test.select(rows.stream().mapToInt(Integer::intValue).toArray());
    List<String> used = templates != null ? templates : FashionMnistCaptions.EVALUATION_TEMPLATES;
    List<ZeroShotClassifier.Prediction> predictions = new ZeroShotClassifier(encoder, wordList, used).classify(subset.images());
    int right = 0;
    java.util.Map<String, int[]> perClass = new java.util.LinkedHashMap<>();
    for (int c : scored) {
      perClass.put(FashionMnistCaptions.CLASS_PROMPT_NAMES.get(c), new int[2]);
    }
    for (int i = 0; i < predictions.size(); i++) {
      int truth = subset.labels()[i];
      boolean ok = classOf.get(predictions.get(i).best()) == truth;
      right += ok ? 1 : 0;
      int[] pc = perClass.get(FashionMnistCaptions.CLASS_PROMPT_NAMES.get(truth));
      pc[0] += ok ? 1 : 0;
      pc[1]++;
    }
    ObjectNode o = json.createObjectNode();
    o.put("dataset", "fashion-mnist-test");
    o.put("words", words);
    o.put("labels", wordList.size());
    o.put("classes_scored", scored.size());
    o.put("images", predictions.size());
    o.put("top1", predictions.isEmpty() ? 0 : Math.round(1e4 * right / (double) predictions.size()) / 1e4);
    o.put("chance", Math.round(1e4 / scored.size()) / 1e4);
    ObjectNode pcs = o.putObject("per_class_top1");
    perClass.forEach((k, v) -> pcs.put(k, v[1] == 0 ? 0 : Math.round(1e4 * v[0] / (double) v[1]) / 1e4));
    o.putPOJO("templates", used);
    try {
      out.println(json.writeValueAsString(o));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Per image (--input) or the test split's accuracy (--dataset), in the classes of an evaluator classifier. */
  private void classifyWithEvaluator(Components components, ModelWeights w, PrintWriter out, ObjectMapper json) throws Exception {
    int size = w.config().getPositiveInt("image_size", 28);
    int channels = w.config().getPositiveInt("channels", 1);
    List<String> names = new java.util.ArrayList<>();
    com.fasterxml.jackson.databind.JsonNode configured = w.config().node("class_names");
    if (configured != null && configured.isArray()) {
      configured.forEach(n -> names.add(n.asText()));
    }
    List<String> shown = FashionMnist.displayNames(names);
    names.clear();
    names.addAll(shown);
    try (ImageEvaluator evaluator = new ImageEvaluator(components, w)) {
      if (source.input != null) {
        PngImages.PngFolder folder = PngImages.readFolder(source.input, size, size, channels, PngImages.ResizeMode.BILINEAR);
        ImageEvaluator.Outputs o = evaluator.run(folder.images());
        for (int i = 0; i < folder.images().count(); i++) {
          int best = o.predictedClass(i);
          ObjectNode line = json.createObjectNode();
          line.put("file", folder.fileNames().get(i));
          line.put("class", best);
          if (best < names.size()) {
            line.put("label", names.get(best));
          }
          line.put("probability", Math.round(o.probabilities().values()[i * o.probabilities().dim() + best] * 1e4) / 1e4);
          out.println(json.writeValueAsString(line));
        }
        return;
      }
      Dataset test = dev.tessera.runtime.data.DataSources.open(source.dataset, false, size, channels).data().upTo(limit);
      if (!test.hasLabels() || test.classNames().isEmpty()) {
        throw new TesseraException("--dataset " + source.dataset + ": no class labels to score against");
      }
      if (!names.isEmpty() ? !names.equals(test.classNames()) : w.config().getInt("classes", 10) != test.classNames().size()) {
        throw new TesseraException("'" + model + "' classifies into " + (names.isEmpty() ? w.config().getInt("classes", 10) + " classes" : names.size()
            + " classes " + names.subList(0, Math.min(3, names.size())) + "...") + ", and " + test.name() + " has " + test.classNames().size()
            + " classes " + test.classNames().subList(0, Math.min(3, test.classNames().size())) + "...: not the data set it was trained on");
      }
      long start = System.nanoTime();
      ImageEvaluator.Outputs o = evaluator.run(test.images());
      double seconds = (System.nanoTime() - start) / 1e9;
      Accuracy a = Accuracy.of(test.labels(), o::predictedClass, test.size(), test.classNames(), false);
      ObjectNode result = json.createObjectNode();
      result.put("dataset", test.name());
      result.put("images", test.size());
      result.put("top1", a.top1());
      result.set("per_class_top1", json.valueToTree(a.perClass()));
      result.put("seconds", Math.round(seconds * 100) / 100.0);
      out.println(json.writeValueAsString(result));
    }
  }

  /**
   * Top-1 accuracy of {@code n} predictions against their labels, overall and per class (rounded to
   * four places); a class without images counts 0 when {@code listEmptyClasses}, else is left out.
   */
  record Accuracy(double top1, java.util.Map<String, Double> perClass) {
    static Accuracy of(int[] labels, java.util.function.IntUnaryOperator predicted, int n, List<String> classNames, boolean listEmptyClasses) {
      int correct = 0;
      int[] perClassCorrect = new int[classNames.size()];
      int[] perClassCount = new int[classNames.size()];
      for (int i = 0; i < n; i++) {
        int label = labels[i];
        perClassCount[label]++;
        if (predicted.applyAsInt(i) == label) {
          correct++;
          perClassCorrect[label]++;
        }
      }
      java.util.Map<String, Double> perClass = new java.util.LinkedHashMap<>();
      for (int l = 0; l < classNames.size(); l++) {
        if (perClassCount[l] > 0 || listEmptyClasses) {
          perClass.put(classNames.get(l), perClassCount[l] == 0 ? 0 : rounded(perClassCorrect[l], perClassCount[l]));
        }
      }
      return new Accuracy(rounded(correct, n), perClass);
    }

    private static double rounded(int part, int whole) {
      return Math.round(10000.0 * part / whole) / 10000.0;
    }
  }

  private static List<String> trimmed(List<String> labels) {
    return labels.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
