/*
 * The C floor for bench/compare.ts: the same workloads as bench/py, bench/node
 * and bench/deno, written straight against the syscalls. Built by compare.ts
 * with `cc -O2` into a temporary directory.
 *
 * Usage (every mode prints exactly one JSON line on stdout):
 *   workloads pair            MAX_ITERS BUDGET_MS WARMUP_ITERS
 *   workloads udp             MAX_ITERS BUDGET_MS WARMUP_ITERS
 *   workloads pingpong-server                      -> {"port":N}, echoes one connection
 *   workloads pingpong-client PORT MAX_ITERS BUDGET_MS WARMUP_ITERS
 *   workloads bulk-server                          -> {"port":N}, drains one connection, acks
 *   workloads bulk-client     PORT TOTAL_BYTES CHUNK_BYTES
 *   workloads async-server                         -> {"port":N}, epoll echo server
 *   workloads async-client    PORT CONNS BUDGET_MS WARMUP_MS
 * Results: {"ops":N,"ns":T} or {"bytes":N,"ns":T}.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  printf("{\"error\":\"%s: %s\"}\n", what, strerror(errno));
  exit(1);
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

static void nodelay(int fd) {
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt");
}

/* A socket bound to 127.0.0.1:0; returns the fd and stores the port. */
static int bound(int type, int *port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in sa = loopback(0);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
  socklen_t len = sizeof sa;
  if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0) die("getsockname");
  *port = ntohs(sa.sin_port);
  return fd;
}

static int listener(void) {
  int port;
  int fd = bound(SOCK_STREAM, &port);
  if (listen(fd, 1024) < 0) die("listen");
  printf("{\"port\":%d}\n", port);
  fflush(stdout);
  return fd;
}

static int accept_one(int lfd) {
  int fd;
  while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
    if (errno != EINTR) die("accept4");
  nodelay(fd);
  return fd;
}

static int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in sa = loopback(port);
  while (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    if (errno != EINTR) die("connect");
  nodelay(fd);
  return fd;
}

/* This process's user + system CPU seconds (getrusage). */
static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* CPU seconds when the measured part began (cpu_mark), reported as "cpu". */
static double cpu0 = -1;
static void cpu_mark(void) { cpu0 = cpu_seconds(); }

static void report_ops(long long ops, long long ns) {
  if (cpu0 >= 0)
    printf("{\"ops\":%lld,\"ns\":%lld,\"cpu\":%.6f}\n", ops, ns, cpu_seconds() - cpu0);
  else
    printf("{\"ops\":%lld,\"ns\":%lld}\n", ops, ns);
}

/* One send of 1 byte and one recv of it on a unix stream socketpair. */
static void pair_op(int a, int b, char *buf) {
  if (send(a, "x", 1, 0) != 1) die("send");
  if (recv(b, buf, 64, 0) != 1) die("recv");
}

static void run_pair(long max, long budget_ms, long warmup) {
  int sv[2];
  char buf[64];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
  for (long i = 0; i < warmup; i++) pair_op(sv[0], sv[1], buf);
  cpu_mark();
  long long t0 = now_ns(), deadline = t0 + budget_ms * 1000000LL, t1;
  long n = 0;
  for (;;) {
    for (int k = 0; k < 256; k++) pair_op(sv[0], sv[1], buf);
    n += 256;
    t1 = now_ns();
    if (n >= max || t1 >= deadline) break;
  }
  report_ops(n, t1 - t0);
}

/* sendto of 64 bytes from one UDP socket to another, recvfrom on the other. */
static void run_udp(long max, long budget_ms, long warmup) {
  int pa, pb;
  int a = bound(SOCK_DGRAM, &pa), b = bound(SOCK_DGRAM, &pb);
  (void)pa;
  struct sockaddr_in to = loopback(pb), from;
  char msg[64], buf[2048];
  memset(msg, 'x', sizeof msg);
  long long t0 = 0, t1, deadline = 0;
  long n = 0;
  for (long i = -warmup;; i++) {
    if (i == 0) {
      cpu_mark();
      t0 = now_ns();
      deadline = t0 + budget_ms * 1000000LL;
    }
    if (sendto(a, msg, sizeof msg, 0, (struct sockaddr *)&to, sizeof to) != 64) die("sendto");
    socklen_t len = sizeof from;
    if (recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) != 64) die("recvfrom");
    if (i >= 0 && (++n & 255) == 0) {
      t1 = now_ns();
      if (n >= max || t1 >= deadline) break;
    }
  }
  report_ops(n, t1 - t0);
}

static void run_pingpong_server(void) {
  int lfd = listener();
  int fd = accept_one(lfd);
  char buf[64];
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("recv");
    if (r == 0) break;
    if (send(fd, buf, (size_t)r, 0) != r) die("send");
  }
  close(fd);
  close(lfd);
  printf("{\"done\":true}\n");
}

static void rtt(int fd, char *buf) {
  if (send(fd, "x", 1, 0) != 1) die("send");
  if (recv(fd, buf, 64, 0) != 1) die("recv");
}

static void run_pingpong_client(int port, long max, long budget_ms, long warmup) {
  int fd = connect_to(port);
  char buf[64];
  for (long i = 0; i < warmup; i++) rtt(fd, buf);
  cpu_mark();
  long long t0 = now_ns(), deadline = t0 + budget_ms * 1000000LL, t1;
  long n = 0;
  for (;;) {
    for (int k = 0; k < 64; k++) rtt(fd, buf);
    n += 64;
    t1 = now_ns();
    if (n >= max || t1 >= deadline) break;
  }
  close(fd);
  report_ops(n, t1 - t0);
}

static void run_bulk_server(void) {
  int lfd = listener();
  int fd = accept_one(lfd);
  static char buf[65536];
  long long total = 0;
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("recv");
    if (r == 0) break;
    total += r;
  }
  if (send(fd, "k", 1, 0) != 1) die("send");
  close(fd);
  close(lfd);
  printf("{\"received\":%lld}\n", total);
}

/* Sends TOTAL bytes in CHUNK writes (sendall semantics), half-closes, waits for the ack. */
static void run_bulk_client(int port, long long total, long chunk) {
  int fd = connect_to(port);
  char *data = malloc((size_t)chunk);
  if (!data) die("malloc");
  memset(data, 'x', (size_t)chunk);
  long long t0 = now_ns(), sent = 0;
  while (sent < total) {
    long want = total - sent < chunk ? (long)(total - sent) : chunk;
    long off = 0;
    while (off < want) {
      ssize_t w = send(fd, data + off, (size_t)(want - off), 0);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) die("send");
      off += w;
    }
    sent += want;
  }
  if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  char ack;
  ssize_t r;
  while ((r = recv(fd, &ack, 1, 0)) < 0 && errno == EINTR) {
  }
  if (r != 1) die("ack");
  long long t1 = now_ns();
  close(fd);
  printf("{\"bytes\":%lld,\"ns\":%lld}\n", sent, t1 - t0);
}

static void run_async_server(void) {
  int lfd = listener();
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) die("epoll_ctl");
  struct epoll_event events[256];
  char buf[4096];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0) continue;
        nodelay(c);
        struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) < 0) die("epoll_ctl");
        continue;
      }
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        close(fd);
        continue;
      }
      /* One outstanding byte per connection: the reply always fits the send buffer. */
      if (send(fd, buf, (size_t)r, 0) != r) die("send");
    }
  }
}

/* CONNS connections, each with one 1-byte ping in flight, driven by one epoll loop. */
static void run_async_client(int port, int conns, long budget_ms, long warmup_ms) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  for (int i = 0; i < conns; i++) {
    int fd = connect_to(port);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    if (send(fd, "x", 1, 0) != 1) die("send");
  }
  struct epoll_event events[256];
  char buf[64];
  long long start = now_ns(), t0 = start + warmup_ms * 1000000LL;
  long long t1 = t0 + budget_ms * 1000000LL, now = start;
  long long n = 0, n0 = -1;
  while (now < t1) {
    int k = epoll_wait(ep, events, 256, -1);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) die("epoll_wait");
    for (int i = 0; i < k; i++) {
      int fd = events[i].data.fd;
      if (recv(fd, buf, sizeof buf, 0) != 1) die("recv");
      n++;
      if (send(fd, "x", 1, 0) != 1) die("send");
    }
    now = now_ns();
    if (n0 < 0 && now >= t0) {
      n0 = n;
      t0 = now;
      cpu_mark();
      t1 = now + budget_ms * 1000000LL;
    }
  }
  report_ops(n - n0, now - t0);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    printf("{\"error\":\"usage: workloads MODE ARGS...\"}\n");
    return 2;
  }
  const char *m = argv[1];
#define ARG(i) (argc > (i) ? atoll(argv[i]) : 0)
  if (!strcmp(m, "pair")) run_pair(ARG(2), ARG(3), ARG(4));
  else if (!strcmp(m, "udp")) run_udp(ARG(2), ARG(3), ARG(4));
  else if (!strcmp(m, "pingpong-server")) run_pingpong_server();
  else if (!strcmp(m, "pingpong-client")) run_pingpong_client((int)ARG(2), ARG(3), ARG(4), ARG(5));
  else if (!strcmp(m, "bulk-server")) run_bulk_server();
  else if (!strcmp(m, "bulk-client")) run_bulk_client((int)ARG(2), ARG(3), ARG(4));
  else if (!strcmp(m, "async-server")) run_async_server();
  else if (!strcmp(m, "async-client")) run_async_client((int)ARG(2), (int)ARG(3), ARG(4), ARG(5));
  else {
    printf("{\"error\":\"unknown mode %s\"}\n", m);
    return 2;
  }
  return 0;
}
