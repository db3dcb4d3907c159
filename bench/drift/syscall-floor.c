// The kernel's share of bench/drift, without Node: the same walk in C, timed
// three ways over one tree (warm page cache), CPU time from getrusage.
//   mode 0: readdir + lstat of every entry (the listing)
//   mode 1: as 0, plus open + pread(4) + close of every file (the scan before)
//   mode 2: readdir, then open(O_NOFOLLOW|O_NONBLOCK) + fstat + pread(4) + close
//           for regular files, lstat for the rest (the scan now)
// Build and run: gcc -O2 -o /tmp/syscall-floor bench/drift/syscall-floor.c && nice -n 10 /tmp/syscall-floor <dir>
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
static int mode;
static long walk(const char *dir) {
  DIR *d = opendir(dir); if (!d) return 0; struct dirent *e; long n = 0; char p[4096]; unsigned char b[4];
  while ((e = readdir(d))) {
    if (e->d_name[0]=='.' && (!e->d_name[1] || (e->d_name[1]=='.' && !e->d_name[2]))) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name); struct stat st; n++;
    if (mode == 0) { lstat(p, &st); if (S_ISDIR(st.st_mode)) n += walk(p); }
    else if (mode == 1) { lstat(p, &st); if (S_ISDIR(st.st_mode)) n += walk(p); else { int fd = open(p, O_RDONLY|O_NOFOLLOW|O_NONBLOCK); pread(fd, b, 4, 0); close(fd);} }
    else { if (e->d_type == DT_REG) { int fd = open(p, O_RDONLY|O_NOFOLLOW|O_NONBLOCK); fstat(fd,&st); pread(fd, b, 4, 0); close(fd);} else { lstat(p,&st); if (S_ISDIR(st.st_mode)) n += walk(p);} }
  }
  closedir(d); return n;
}
static double cpu(void){ struct rusage u; getrusage(RUSAGE_SELF,&u); return u.ru_utime.tv_sec*1e3+u.ru_utime.tv_usec/1e3+u.ru_stime.tv_sec*1e3+u.ru_stime.tv_usec/1e3; }
int main(int c, char **v) { for (int r=0;r<5;r++) for (mode=0;mode<3;mode++){ double c0=cpu(); struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a); long n=walk(v[1]); clock_gettime(CLOCK_MONOTONIC,&b); printf("mode %d n %ld wall %.0f cpu %.0f\n", mode, n, (b.tv_sec-a.tv_sec)*1e3+(b.tv_nsec-a.tv_nsec)/1e6, cpu()-c0);} }
