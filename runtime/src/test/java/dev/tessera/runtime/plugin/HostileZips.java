package dev.tessera.runtime.plugin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Zips built byte by byte the way a hostile one is: the central directory (what {@code ZipFile}
 * lists) made to disagree with the local headers (what an unzip streams).
 */
final class HostileZips {
  private HostileZips() {}

  /** A plain zip of these entries (name to content), deflated, in order. */
  static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** The zip with {@code name}'s central directory record removed (its local header and data stay). */
  static byte[] hideFromCentralDirectory(byte[] zip, String name) {
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int eocd = endOfCentralDirectory(b);
    int count = b.getShort(eocd + 10) & 0xffff;
    int size = b.getInt(eocd + 12);
    int offset = b.getInt(eocd + 16);
    ByteArrayOutputStream directory = new ByteArrayOutputStream();
    int kept = 0;
    for (int p = offset, i = 0; i < count; i++) {
      int length = 46 + (b.getShort(p + 28) & 0xffff) + (b.getShort(p + 30) & 0xffff) + (b.getShort(p + 32) & 0xffff);
      String entry = new String(zip, p + 46, b.getShort(p + 28) & 0xffff, StandardCharsets.UTF_8);
      if (!entry.equals(name)) {
        directory.write(zip, p, length);
        kept++;
      }
      p += length;
    }
    byte[] dir = directory.toByteArray();
    ByteBuffer out = ByteBuffer.allocate(offset + dir.length + 22).order(ByteOrder.LITTLE_ENDIAN);
    out.put(zip, 0, offset).put(dir);
    out.put(zip, eocd, 22);
    out.putShort(offset + dir.length + 8, (short) kept).putShort(offset + dir.length + 10, (short) kept)
        .putInt(offset + dir.length + 12, dir.length).putInt(offset + dir.length + 16, offset);
    if (size < 0) {
      throw new IllegalStateException("not a zip");
    }
    return out.array();
  }

  /** The zip with every central directory record claiming {@code size} uncompressed bytes. */
  static byte[] understateSizes(byte[] zip, int size) {
    byte[] copy = zip.clone();
    ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
    int eocd = endOfCentralDirectory(b);
    int count = b.getShort(eocd + 10) & 0xffff;
    for (int p = b.getInt(eocd + 16), i = 0; i < count; i++) {
      b.putInt(p + 24, size);
      p += 46 + (b.getShort(p + 28) & 0xffff) + (b.getShort(p + 30) & 0xffff) + (b.getShort(p + 32) & 0xffff);
    }
    return copy;
  }

  private static int endOfCentralDirectory(ByteBuffer b) {
    for (int p = b.capacity() - 22; p >= 0; p--) {
      if (b.getInt(p) == 0x06054b50) {
        return p;
      }
    }
    throw new IllegalStateException("no end of central directory");
  }
}
