// Runs one command and reports what it cost, for bench/peers: wall time around
// fork and wait, and the child's own user + system CPU time and peak RSS from
// wait4(), which Node.js does not expose for a child process. The command keeps
// this program's standard streams; the report goes to file descriptor 3 as one
// JSON line, and fd 3 is closed in the command so it cannot write there.
//   rusage CMD [ARGS...]
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timespec t) { return t.tv_sec + t.tv_nsec / 1e9; }
static double tv(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: rusage CMD [ARGS...] (the report goes to fd 3)\n");
    return 2;
  }
  FILE *report = fdopen(3, "w");
  if (!report) {
    fprintf(stderr, "rusage: fd 3 is not open: %s\n", strerror(errno));
    return 2;
  }
  fcntl(3, F_SETFD, FD_CLOEXEC);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "rusage: fork: %s\n", strerror(errno));
    return 2;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    fprintf(stderr, "rusage: cannot run %s: %s\n", argv[1], strerror(errno));
    _exit(127);
  }
  int status;
  struct rusage usage;
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      fprintf(stderr, "rusage: wait4: %s\n", strerror(errno));
      return 2;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  int signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  fprintf(report, "{\"code\":%d,\"signal\":%d,\"wallMs\":%.3f,\"userMs\":%.3f,\"sysMs\":%.3f,\"maxRssKiB\":%ld}\n", code, signal,
          (seconds(end) - seconds(start)) * 1e3, tv(usage.ru_utime) * 1e3, tv(usage.ru_stime) * 1e3, usage.ru_maxrss);
  fclose(report);
  return 0;
}
