/* The pod sandbox's pause process for rootlock's test node: holds the pod's
 * namespaces open, reaps orphaned children (it is PID 1 when the pod shares
 * its PID namespace) and exits on SIGTERM or SIGINT, as Kubernetes' pause does. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) { (void)sig; _exit(0); }

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, 0, WNOHANG) > 0) {}
}

int main(void) {
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  signal(SIGCHLD, reap);
  for (;;) pause();
}
