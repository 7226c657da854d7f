package dev.tessera.plugins.clip;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded, thread-safe least-recently-used cache: an access-ordered {@link LinkedHashMap} behind
 * one lock. OpenAI's tokenizer caches every word it has seen in an unbounded dict; the bound keeps
 * memory flat on long runs over many distinct words.
 */
final class LruCache<K, V> {
  private final int capacity;
  private final LinkedHashMap<K, V> map;

  LruCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("cache capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(Math.min(capacity, 1024) * 4 / 3 + 1, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > LruCache.this.capacity;
      }
    };
  }

  synchronized V get(K key) {
    return map.get(key);
  }

  synchronized void put(K key, V value) {
    map.put(key, value);
  }

  synchronized int size() {
    return map.size();
  }

  int capacity() {
    return capacity;
  }
}
