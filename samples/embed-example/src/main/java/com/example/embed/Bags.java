package com.example.embed;

import dev.tessera.runtime.embed.Images;
import dev.tessera.runtime.embed.Tessera;
import java.nio.file.Path;

/** Four bags from the shipped clip-diffusion pipeline under DPM-Solver++: java com.example.embed.Bags PLUGINS_DIR OUTPUT_DIR */
public final class Bags {
  public static void main(String[] args) {
    try (Tessera tessera = Tessera.open(Path.of(args[0]))) {
      Images images = tessera.pipeline("clip-diffusion")
          .option("scheduler", "dpm-solver++")
          .option("steps", 20)
          .generate("a photo of a bag", 4, 1);
      System.out.println("wrote " + images.save(Path.of(args[1])));
    }
  }
}
