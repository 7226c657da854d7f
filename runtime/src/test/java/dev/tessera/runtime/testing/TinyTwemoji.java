package dev.tessera.runtime.testing;

import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.io.PngImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny Twemoji folder in the layout of the npm package ({@code emoji.json} + {@code
 * img/twitter/64/*.png}, 64x64 RGBA): emoji i is named "EMOJI i", has subcategory {@code
 * subcategories[i % k]} and is a flat colour that depends on its subcategory (a classifier can
 * tell them apart); plus one entry whose image is missing and one without a subcategory.
 */
public final class TinyTwemoji {
  private TinyTwemoji() {}

  public static Path write(Path dir, int count, List<String> subcategories) throws IOException {
    Path img = dir.resolve("img/twitter/64");
    Files.createDirectories(img);
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i <= count; i++) {
      String file = String.format("%04x.png", 0x1f600 + i);
      int k = i % subcategories.size();
      float[] px = new float[64 * 64 * 4];
      for (int p = 0; p < 64 * 64; p++) {
        px[p * 4] = (k % 3) / 2f;
        px[p * 4 + 1] = (k / 3 % 3) / 2f;
        px[p * 4 + 2] = (p % 64) / 63f; // a gradient, so images are not constant
        px[p * 4 + 3] = 1f;
      }
      PngImages.write(img.resolve(file), new ImageBatch(1, 64, 64, 4, px), 0);
      // The last one has an image but no subcategory.
      String subcategory = i == count ? "" : ",\"subcategory\":\"" + subcategories.get(k) + "\"";
      json.append(i == 0 ? "" : ",").append("{\"name\":\"EMOJI ").append(i).append("\",\"image\":\"").append(file)
          .append("\",\"short_names\":[\"emoji_").append(i).append("\"],\"category\":\"Things\"").append(subcategory)
          .append(",\"has_img_twitter\":true}");
    }
    json.append(",{\"name\":\"Egypt Flag\",\"image\":\"missing.png\",\"short_names\":[\"flag-eg\"],\"subcategory\":\"country-flag\",")
        .append("\"has_img_twitter\":true}]");
    Files.writeString(dir.resolve("emoji.json"), json);
    return dir;
  }
}
