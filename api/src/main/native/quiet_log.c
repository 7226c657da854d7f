/*
 * TensorFlow's start-up lines, kept off stderr for programs that embed Tessera.
 *
 * TensorFlow 2.18 logs through absl, which writes every message to stderr until absl::InitializeLog() is
 * called and announces so ("WARNING: All log messages before absl::InitializeLog() is called are written to
 * STDERR"); the first graph a process optimises adds "MLIR V1 optimization pass is not enabled". Neither obeys
 * TF_CPP_MIN_LOG_LEVEL. The command-line launcher filters them out of the JVM's stderr; a Java program cannot
 * redirect its own file descriptor 2, so this library does it for the one moment the lines are printed:
 *
 * 1. tessera_hold_stderr(), from the library's constructor (TF_LoadLibrary), points fd 2 at a pipe;
 * 2. NativeOps runs one graph whose only op is TesseraReleaseStderr: optimising that graph prints the two lines
 *    (into the pipe; absl prints each once per process), then the op's kernel calls tessera_release_stderr(),
 *    which puts fd 2 back and writes through everything the pipe holds except those two lines.
 *
 * Nothing else is dropped: whatever another thread wrote to stderr in between arrives, late. The copy of absl
 * in libtensorflow_framework.so.2 is also marked initialised (what InitializeLog does besides choosing the
 * time zone), so its info and warning lines stay off stderr as they would in a program that initialised absl;
 * errors still print. TF_CPP_MIN_LOG_LEVEL=0 asks for TensorFlow's info lines: then nothing here acts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Weak: a TensorFlow build without this symbol is left alone. */
extern void _ZN4absl12lts_2023080212log_internal14SetInitializedEv(void) __attribute__((weak));

static int saved_stderr = -1; /* the real stderr while held */
static int held = -1;         /* the pipe's read end while held */

static int wanted_verbose(void) {
  const char* level = getenv("TF_CPP_MIN_LOG_LEVEL");
  return level != NULL && strcmp(level, "0") == 0;
}

void tessera_hold_stderr(void) {
  if (wanted_verbose() || held >= 0) {
    return;
  }
  if (_ZN4absl12lts_2023080212log_internal14SetInitializedEv != NULL) {
    _ZN4absl12lts_2023080212log_internal14SetInitializedEv();
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    return;
  }
  fcntl(p[1], F_SETPIPE_SZ, 1 << 20); /* room for whatever else is written meanwhile */
  /* Never block a writer: should the release never run, output past the pipe's megabyte is dropped, not hung on. */
  fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK);
  int saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
  fflush(stderr);
  if (saved < 0 || dup2(p[1], 2) < 0) {
    if (saved >= 0) close(saved);
    close(p[0]);
    close(p[1]);
    return;
  }
  close(p[1]);
  saved_stderr = saved;
  held = p[0];
}

static int dropped(const char* line, size_t n) {
  static const char* const notices[] = {
      "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
      "] MLIR V1 optimization pass is not enabled",
  };
  for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++) {
    size_t k = strlen(notices[i]);
    if (n >= k && memcmp(line + n - k, notices[i], k) == 0) {
      return 1;
    }
  }
  return 0;
}

static void write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (size_t) w;
  }
}

void tessera_release_stderr(void) {
  if (held < 0) {
    return;
  }
  fflush(stderr);
  dup2(saved_stderr, 2); /* closes the pipe's last write end: the reads below end */
  close(saved_stderr);
  saved_stderr = -1;
  fcntl(held, F_SETFL, fcntl(held, F_GETFL) | O_NONBLOCK); /* read what is there, then stop */
  size_t size = 0, cap = 1 << 14;
  char* text = malloc(cap);
  for (;;) {
    if (text == NULL) break;
    if (size == cap) {
      char* bigger = realloc(text, cap *= 2);
      if (bigger == NULL) break;
      text = bigger;
    }
    ssize_t r = read(held, text + size, cap - size);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    size += (size_t) r;
  }
  close(held);
  held = -1;
  if (text == NULL) return;
  size_t start = 0;
  for (size_t i = 0; i <= size; i++) {
    if (i == size || text[i] == '\n') {
      size_t end = i < size ? i + 1 : i;
      if (end > start && !dropped(text + start, i - start)) {
        write_all(2, text + start, end - start);
      }
      start = end;
    }
  }
  free(text);
}
