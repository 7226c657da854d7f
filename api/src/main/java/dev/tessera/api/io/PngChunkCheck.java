package dev.tessera.api.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Inflater;

/**
 * Checks a PNG file's chunks before ImageIO decodes it, because ImageIO's PNG reader does not: it
 * ignores the chunk CRC-32s and the zlib Adler-32, so damaged pixels come back as if they were
 * fine, and it allocates the whole image from IHDR's width and height before reading any pixel
 * data, so a 100-byte file declaring 16384 x 16384 pixels costs 800 MB.
 *
 * <p>Checked: IHDR comes first and is well-formed, every chunk lies inside the file and has a
 * correct CRC-32, the IDAT chunks are consecutive and inflate (with a valid Adler-32) to exactly
 * the bytes IHDR's size, bit depth, colour type and interlacing need, and IEND is present. The
 * data is inflated in small pieces, so nothing is allocated by a declared size. Data after IEND
 * is ignored, as decoders do.
 */
final class PngChunkCheck {
  private static final int PIECE = 1 << 16;

  /** Adam7 passes: x start, y start, x step, y step (PNG spec, section 8.2). */
  private static final int[][] ADAM7 = {
    {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}
  };

  private final Path file;
  private final long maxDecodedBytes;
  private final Inflater inflater = new Inflater();
  private final byte[] inflated = new byte[PIECE];
  private long imageBytes = -1; // what IHDR says the inflated data holds; -1 before IHDR
  private long inflatedBytes;
  private String size; // "HxW", for messages
  private DataFormatException imageProblem; // found while inflating a chunk whose CRC is not checked yet
  private int paletteEntries; // PLTE's length / 3; 0 without PLTE

  private PngChunkCheck(Path file, long maxDecodedBytes) {
    this.file = file;
    this.maxDecodedBytes = maxDecodedBytes;
  }

  /**
   * Checks {@code file}, whose 8-byte PNG signature the caller has already checked.
   *
   * @param maxDecodedBytes the most bytes the decoded image may take (width x height x samples x bytes per sample)
   * @return the number of palette entries (PLTE), 0 without a palette: a palette image's indices
   *     must be below it, which the caller checks on the decoded raster (ImageIO pads the palette)
   * @throws DataFormatException naming the file and the problem
   */
  static int check(Path file, long maxDecodedBytes) throws IOException {
    PngChunkCheck check = new PngChunkCheck(file, maxDecodedBytes);
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), PIECE)) {
      check.run(new DataInputStream(raw), Files.size(file));
    } finally {
      check.inflater.end();
    }
    return check.paletteEntries;
  }

  private void run(DataInputStream in, long fileSize) throws IOException {
    in.skipNBytes(8);
    long offset = 8;
    String previous = null;
    boolean idatDone = false;
    while (true) {
      if (offset + 12 > fileSize) {
        throw problem("truncated: the file ends after " + (previous == null ? "the signature" : "chunk " + previous)
            + ", before IEND");
      }
      long length = in.readInt() & 0xffffffffL;
      byte[] typeBytes = in.readNBytes(4);
      String type = new String(typeBytes, StandardCharsets.ISO_8859_1);
      if (!type.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
        throw problem("corrupt chunk type at byte " + offset + " (not 4 letters)");
      }
      if (length > fileSize - offset - 12) {
        throw problem("chunk " + type + " at byte " + offset + " claims " + length + " bytes, more than the file holds");
      }
      if (previous == null && !type.equals("IHDR")) {
        throw problem("the first chunk is " + type + ", not IHDR");
      }
      if (previous != null && type.equals("IHDR")) {
        throw problem("a second IHDR chunk at byte " + offset);
      }
      if (type.equals("IDAT") && idatDone) {
        throw problem("IDAT chunks are not consecutive (another at byte " + offset + ")");
      }
      idatDone |= previous != null && previous.equals("IDAT") && !type.equals("IDAT");
      CRC32 crc = new CRC32();
      crc.update(typeBytes);
      if (type.equals("IHDR")) {
        readHeader(in, length, crc);
      } else {
        if (type.equals("PLTE")) {
          if (length == 0 || length % 3 != 0 || length > 256 * 3) {
            throw problem("PLTE has " + length + " bytes, not 3 to 768 in steps of 3");
          }
          paletteEntries = (int) (length / 3);
        }
        readData(in, length, crc, type.equals("IDAT"));
      }
      if (in.readInt() != (int) crc.getValue()) {
        throw problem("chunk " + type + " at byte " + offset + " has a wrong CRC-32 (the file is damaged)");
      }
      if (imageProblem != null) { // reported only now: a wrong CRC above names the damage better
        throw imageProblem;
      }
      offset += 12 + length;
      previous = type;
      if (type.equals("IEND")) {
        checkAllImageData();
        return;
      }
    }
  }

  private void readHeader(DataInputStream in, long length, CRC32 crc) throws IOException {
    if (length != 13) {
      throw problem("IHDR has " + length + " bytes, not 13");
    }
    byte[] ihdr = in.readNBytes(13);
    crc.update(ihdr);
    long w = readUnsigned(ihdr, 0);
    long h = readUnsigned(ihdr, 4);
    int bitDepth = ihdr[8] & 0xff;
    int colourType = ihdr[9] & 0xff;
    if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
      throw problem("image size " + h + "x" + w + " (height x width) is not allowed");
    }
    int samples = switch (colourType) {
      case 0, 3 -> 1; // gray, palette index
      case 4 -> 2; // gray + alpha
      case 2 -> 3; // RGB
      case 6 -> 4; // RGBA
      default -> throw problem("unknown colour type " + colourType);
    };
    // What the decoder holds in memory (a palette expands to RGB(A) bytes), not just the pixel count:
    // 16-bit RGBA takes 8 bytes a pixel, so a pixel limit alone let a 2 MB file take 7 GiB.
    long decoded = w * h * (colourType == 3 ? 4 : samples) * (bitDepth == 16 ? 2 : 1);
    if (decoded > maxDecodedBytes) {
      throw new DataFormatException(file, "image of " + h + "x" + w + " pixels (" + (colourType == 3 ? "palette" : samples + " x "
          + bitDepth + "-bit samples") + ") decodes to " + (decoded >> 20) + " MiB, more than the limit of " + (maxDecodedBytes >> 20)
          + " MiB (Tessera's models take images of at most 64x64; scale large images down first)");
    }
    boolean depthAllowed = switch (colourType) {
      case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
      case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
      default -> bitDepth == 8 || bitDepth == 16;
    };
    if (!depthAllowed || ihdr[10] != 0 || ihdr[11] != 0 || (ihdr[12] != 0 && ihdr[12] != 1)) {
      throw problem("IHDR has an invalid combination: bit depth " + bitDepth + ", colour type " + colourType
          + ", compression " + ihdr[10] + ", filter " + ihdr[11] + ", interlace " + ihdr[12]);
    }
    imageBytes = imageBytes(w, h, samples * bitDepth, ihdr[12] == 1);
    size = h + "x" + w;
  }

  /** Bytes of filtered scanlines a w x h image of this pixel size holds, per interlace pass. */
  private static long imageBytes(long w, long h, int bitsPerPixel, boolean interlaced) {
    if (!interlaced) {
      return h * (1 + (w * bitsPerPixel + 7) / 8);
    }
    long total = 0;
    for (int[] pass : ADAM7) {
      long pw = (w - pass[0] + pass[2] - 1) / pass[2];
      long ph = (h - pass[1] + pass[3] - 1) / pass[3];
      if (pw > 0 && ph > 0) {
        total += ph * (1 + (pw * bitsPerPixel + 7) / 8);
      }
    }
    return total;
  }

  /** Streams a chunk's data through the CRC and, for IDAT, the inflater. */
  private void readData(DataInputStream in, long length, CRC32 crc, boolean imageData) throws IOException {
    byte[] piece = new byte[(int) Math.min(PIECE, length)];
    for (long left = length; left > 0; ) {
      int n = (int) Math.min(piece.length, left);
      in.readFully(piece, 0, n);
      crc.update(piece, 0, n);
      if (imageData && imageProblem == null) {
        try {
          inflate(piece, n);
        } catch (DataFormatException e) {
          imageProblem = e;
        }
      }
      left -= n;
    }
  }

  private void inflate(byte[] compressed, int n) {
    if (inflater.finished()) {
      throw problem("more compressed image data after the end of the image");
    }
    inflater.setInput(compressed, 0, n);
    try {
      while (!inflater.needsInput() && !inflater.finished()) {
        int got = inflater.inflate(inflated);
        if (got == 0 && inflater.needsDictionary()) {
          throw problem("corrupt image data (a zlib preset dictionary)");
        }
        inflatedBytes += got;
        if (inflatedBytes > imageBytes) {
          throw problem("the image data holds more than the " + imageBytes + " bytes a " + size + " image needs");
        }
      }
    } catch (java.util.zip.DataFormatException e) {
      throw problem("corrupt image data: " + e.getMessage());
    }
    if (inflater.finished() && inflater.getRemaining() > 0) {
      throw problem("more compressed image data after the end of the image");
    }
  }

  private void checkAllImageData() {
    if (!inflater.finished() || inflatedBytes != imageBytes) {
      throw problem("the image data ends early: " + inflatedBytes + " of the " + imageBytes + " bytes a " + size
          + " image needs (truncated or damaged)");
    }
  }

  private static long readUnsigned(byte[] b, int at) {
    return (b[at] & 0xffL) << 24 | (b[at + 1] & 0xffL) << 16 | (b[at + 2] & 0xffL) << 8 | (b[at + 3] & 0xffL);
  }

  private DataFormatException problem(String what) {
    return new DataFormatException(file, "corrupt PNG: " + what);
  }
}
