#!/usr/bin/env bash
# Builds Tessera's TensorFlow kernels (tessera_ops.c) into OUT/dev/tessera/api/native/linux-x86_64/.
# Called by Maven (api/pom.xml) before the classes are packaged. Without a C compiler, or off
# Linux x86-64, it builds nothing and says so: the layers then use TensorFlow's own ops.
set -euo pipefail
out="$1/dev/tessera/api/native/linux-x86_64"
dir="$(cd "$(dirname "$0")" && pwd)"
src="$dir/tessera_ops.c"
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "[tessera-ops] not Linux x86-64: native kernels not built, TensorFlow's own ops are used"
  exit 0
fi
cc="${CC:-gcc}"
if ! command -v "$cc" >/dev/null; then
  echo "[tessera-ops] WARNING: no C compiler ($cc): native kernels not built, TensorFlow's own ops are used (slower)"
  exit 0
fi
if [[ -f "$out/libtessera_ops.so" && "$out/libtessera_ops.so" -nt "$src" && "$out/libtessera_ops.so" -nt "$dir/quiet_log.c" ]]; then
  exit 0
fi
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The kernels call TensorFlow's C API in libtensorflow_framework.so.2, which TensorFlow Java has
# loaded by the time the library is. Linking against an empty stub of that name records the
# dependency, so the loader binds the symbols to the loaded copy.
echo "" | "$cc" -x c -shared -fPIC -Wl,-soname,libtensorflow_framework.so.2 -o "$tmp/libtensorflow_framework.so.2" -
# x86-64-v3: AVX2 and FMA (every x86 CPU since 2015); -ffast-math lets expf vectorise (glibc libmvec).
"$cc" -O3 -march=x86-64-v3 -ffast-math -fopenmp -fPIC -shared -Wall -Wno-unknown-pragmas \
  -o "$tmp/libtessera_ops.so" "$src" "$dir/quiet_log.c" -L"$tmp" -Wl,--no-as-needed -l:libtensorflow_framework.so.2 -Wl,--as-needed -lm
mv "$tmp/libtessera_ops.so" "$out/libtessera_ops.so"
echo "[tessera-ops] built $out/libtessera_ops.so"
