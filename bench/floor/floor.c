// The floor of this machine for Runnel's latency goals: the least work any server and client can do
// for the same traffic, with no runtime, no protocol and no thread hand-offs beyond what the
// measurement needs. When the floor itself misses a goal, the goal is out of reach here for every
// implementation (issue 7: "show why with measurements"). Not part of the product; see README.md.
//
//   floor server PORT [DIR FILES FLUSH_THREADS PREALLOC_BYTES]
//     One epoll thread reads every request that is ready, writes each payload to one of FILES
//     preallocated files (round robin by sequence number), fdatasyncs every file it wrote (in
//     parallel on FLUSH_THREADS threads when that is above 0), then acknowledges them all: group
//     commit at its cheapest. FLUSH_THREADS -1 pipelines instead: a flusher thread per file takes
//     what was written to its file since its last round, fdatasyncs and acknowledges from there
//     while the loop goes on reading (the shape of Runnel's flush threads). Without DIR it
//     acknowledges at once (the network's floor).
//   floor client PORT CONNECTIONS RATE COUNT SIZE BATCH
//     One thread drives CONNECTIONS connections, each sending RATE records/s (COUNT in all per
//     connection) of SIZE bytes, BATCH records per request (a linger), at most one request in
//     flight per connection beyond the schedule's. Latency runs from each record's scheduled time to
//     its acknowledgement (no coordinated omission). Prints percentiles and the client's CPU time.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FILES 256
#define MAX_CONNECTIONS 1024
#define READ_BUFFER (1 << 20)
#define HEADER 12 // u32 payload size, u64 sequence number (native order: both ends are this machine)

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static int connect_or_listen(int port, int listening) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (listening) {
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (void *)&a, sizeof a) || listen(s, MAX_CONNECTIONS)) die("listen");
  } else if (connect(s, (void *)&a, sizeof a)) {
    die("connect");
  }
  return s;
}

// ---- server: parallel fdatasync of the files a round wrote ----

static int g_fds[MAX_FILES], g_dirty[MAX_FILES], g_to_flush[MAX_FILES], g_flush_count;
static atomic_int g_next_flush, g_flushed;
static long g_round;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_round_started = PTHREAD_COND_INITIALIZER, g_round_done = PTHREAD_COND_INITIALIZER;

static void *flush_thread(void *unused) {
  (void)unused;
  long seen = 0;
  for (;;) {
    pthread_mutex_lock(&g_lock);
    while (g_round == seen) pthread_cond_wait(&g_round_started, &g_lock);
    seen = g_round;
    pthread_mutex_unlock(&g_lock);
    int i;
    while ((i = atomic_fetch_add(&g_next_flush, 1)) < g_flush_count) {
      fdatasync(g_fds[g_to_flush[i]]);
      if (atomic_fetch_add(&g_flushed, 1) + 1 == g_flush_count) {
        pthread_mutex_lock(&g_lock);
        pthread_cond_signal(&g_round_done);
        pthread_mutex_unlock(&g_lock);
      }
    }
  }
  return NULL;
}

static void flush_written_files(int files, int flush_threads) {
  g_flush_count = 0;
  for (int f = 0; f < files; f++)
    if (g_dirty[f]) g_to_flush[g_flush_count++] = f, g_dirty[f] = 0;
  if (flush_threads == 0) {
    for (int i = 0; i < g_flush_count; i++) fdatasync(g_fds[g_to_flush[i]]);
    return;
  }
  atomic_store(&g_next_flush, 0);
  atomic_store(&g_flushed, 0);
  pthread_mutex_lock(&g_lock);
  g_round++;
  pthread_cond_broadcast(&g_round_started);
  while (atomic_load(&g_flushed) < g_flush_count) pthread_cond_wait(&g_round_done, &g_lock);
  pthread_mutex_unlock(&g_lock);
}

struct connection {
  int fd, length, pending_acks;
  char *buffer;
  uint64_t acks[8192];
};

// ---- server, pipelined: one flusher per file, acknowledging from there (Runnel's shape) ----

#define QUEUE 16384
struct file_queue {
  pthread_mutex_t lock;
  pthread_cond_t ready;
  int count;
  struct pending { int fd; uint64_t sequence; } items[QUEUE];
};
static struct file_queue g_queues[MAX_FILES];

static void *file_flusher(void *arg) {
  int f = (int)(intptr_t)arg;
  struct file_queue *q = &g_queues[f];
  static __thread struct pending taken[QUEUE];
  for (;;) {
    pthread_mutex_lock(&q->lock);
    while (q->count == 0) pthread_cond_wait(&q->ready, &q->lock);
    int n = q->count;
    memcpy(taken, q->items, sizeof(struct pending) * n);
    q->count = 0;
    pthread_mutex_unlock(&q->lock);
    // Every taken payload was written before it was queued, so this covers them all.
    fdatasync(g_fds[f]);
    for (int i = 0; i < n; i++) // an 8-byte send is never split or interleaved on a TCP socket
      if (write(taken[i].fd, &taken[i].sequence, 8) != 8) die("ack");
  }
  return NULL;
}

static void queue_ack(int f, int fd, uint64_t sequence) {
  struct file_queue *q = &g_queues[f];
  pthread_mutex_lock(&q->lock);
  if (q->count == QUEUE) die("queue full");
  q->items[q->count++] = (struct pending){fd, sequence};
  pthread_cond_signal(&q->ready);
  pthread_mutex_unlock(&q->lock);
}

__attribute__((noreturn)) static void serve(int port, const char *dir, int files, int flush_threads, long prealloc) {
  static int64_t position[MAX_FILES];
  if (files > MAX_FILES) files = MAX_FILES;
  char *zeros = calloc(1, 1 << 20);
  for (int f = 0; f < files; f++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%03d.data", dir, f);
    if ((g_fds[f] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0) die("open");
    // Written zeros, not fallocate: appends then overwrite written blocks (Runnel's log.preallocate).
    for (long w = 0; w < prealloc; w += 1 << 20)
      if (write(g_fds[f], zeros, 1 << 20) != 1 << 20) die("preallocate");
    fsync(g_fds[f]);
  }
  int pipelined = flush_threads < 0;
  for (int t = 0; t < (pipelined ? files : flush_threads); t++) {
    pthread_t thread;
    if (pipelined) {
      pthread_mutex_init(&g_queues[t].lock, NULL);
      pthread_cond_init(&g_queues[t].ready, NULL);
    }
    pthread_create(&thread, NULL, pipelined ? file_flusher : flush_thread, (void *)(intptr_t)t);
  }
  int listener = connect_or_listen(port, 1), epoll = epoll_create1(0);
  struct epoll_event accept_event = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &accept_event);
  struct connection *connections[MAX_CONNECTIONS];
  int connection_count = 0;
  fprintf(stderr, "floor server ready on %d\n", port);
  for (;;) {
    struct epoll_event events[256];
    int n = epoll_wait(epoll, events, 256, -1), received = 0;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      struct connection *c = events[i].data.ptr;
      if (c == NULL) {
        int fd = accept(listener, NULL, NULL), one = 1;
        if (fd < 0 || connection_count == MAX_CONNECTIONS) die("accept");
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c = calloc(1, sizeof *c);
        c->fd = fd;
        c->buffer = malloc(READ_BUFFER);
        connections[connection_count++] = c;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &e);
        continue;
      }
      int r = read(c->fd, c->buffer + c->length, READ_BUFFER - c->length);
      if (r <= 0) {
        epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
        continue;
      }
      c->length += r;
      int offset = 0;
      while (c->length - offset >= HEADER) {
        uint32_t size;
        uint64_t sequence;
        memcpy(&size, c->buffer + offset, 4);
        memcpy(&sequence, c->buffer + offset + 4, 8);
        if (c->length - offset < HEADER + (int)size) break;
        if (files > 0) {
          int f = (int)(sequence % files);
          if (pwrite(g_fds[f], c->buffer + offset + HEADER, size, position[f]) != (ssize_t)size) die("pwrite");
          position[f] = position[f] + 2 * size > prealloc ? 0 : position[f] + size;
          g_dirty[f] = 1;
          if (pipelined) queue_ack(f, c->fd, sequence);
        }
        if (!pipelined) c->acks[c->pending_acks++] = sequence;
        offset += HEADER + size;
        received = 1;
      }
      memmove(c->buffer, c->buffer + offset, c->length - offset);
      c->length -= offset;
    }
    if (!received || pipelined) continue;
    if (files > 0) flush_written_files(files, flush_threads);
    for (int i = 0; i < connection_count; i++) {
      struct connection *c = connections[i];
      if (c->fd >= 0 && c->pending_acks > 0) {
        ssize_t bytes = (ssize_t)c->pending_acks * 8;
        if (write(c->fd, c->acks, bytes) != bytes) die("ack");
      }
      c->pending_acks = 0;
    }
  }
}

// ---- client ----

static int compare(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int client(int port, int connections, int rate, int count, int size, int batch) {
  int requests = (count + batch - 1) / batch;
  int64_t period = 1000000000LL / rate * batch; // one request per BATCH records
  int64_t start = now_ns() + 5000000;
  int *fds = calloc(connections, sizeof(int)), *sent = calloc(connections, sizeof(int));
  int *acked = calloc(connections, sizeof(int)), *ack_bytes = calloc(connections, sizeof(int));
  int64_t *latencies = malloc(sizeof(int64_t) * (size_t)connections * requests * batch);
  char (*ack_buffers)[8] = calloc(connections, 8);
  long latency_count = 0;
  char *request = calloc(1, HEADER + (size_t)size * batch);
  uint32_t payload = (uint32_t)size * batch;
  memcpy(request, &payload, 4);
  int epoll = epoll_create1(0);
  for (int c = 0; c < connections; c++) {
    fds[c] = connect_or_listen(port, 0);
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)c};
    epoll_ctl(epoll, EPOLL_CTL_ADD, fds[c], &e);
  }
  // Connections start spread over one period, as independent producers would.
  int64_t offset_step = period / connections;
  int done = 0;
  while (done < connections) {
    int64_t t = now_ns(), next = t + 1000000000LL;
    for (int c = 0; c < connections; c++) {
      int64_t first = start + c * offset_step;
      while (sent[c] < requests && first + sent[c] * period <= t) {
        uint64_t sequence = (uint64_t)c * 1000003ULL + sent[c];
        memcpy(request + 4, &sequence, 8);
        if (write(fds[c], request, HEADER + payload) != HEADER + (ssize_t)payload) die("send");
        sent[c]++;
      }
      if (sent[c] < requests && first + sent[c] * period < next) next = first + sent[c] * period;
    }
    // epoll_pwait2 takes a nanosecond timeout: the schedule is kept to the microsecond.
    int64_t wait = next - t > 0 ? next - t : 0;
    struct timespec timeout = {.tv_sec = wait / 1000000000LL, .tv_nsec = wait % 1000000000LL};
    struct epoll_event ready[MAX_CONNECTIONS];
    int n = epoll_pwait2(epoll, ready, MAX_CONNECTIONS, &timeout, NULL);
    if (n <= 0) continue;
    int64_t arrived = now_ns();
    for (int i = 0; i < n; i++) {
      int c = (int)ready[i].data.u32;
      char buffer[65536];
      memcpy(buffer, ack_buffers[c], ack_bytes[c]);
      int r = read(fds[c], buffer + ack_bytes[c], sizeof buffer - ack_bytes[c]);
      if (r <= 0) die("receive");
      int bytes = ack_bytes[c] + r, acks = bytes / 8;
      for (int a = 0; a < acks; a++, acked[c]++) {
        int64_t first = start + c * offset_step, sent_at = first + acked[c] * period;
        // The batch's records were due one record period apart up to the request's send.
        for (int k = 0; k < batch; k++) latencies[latency_count++] = arrived - (sent_at - k * (period / batch));
      }
      ack_bytes[c] = bytes - acks * 8;
      memcpy(ack_buffers[c], buffer + acks * 8, ack_bytes[c]);
      if (acked[c] == requests) done++;
    }
  }
  qsort(latencies, latency_count, sizeof(int64_t), compare);
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  double cpu = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  double seconds = (now_ns() - start) / 1e9;
  printf("%ld records, %d connections: p50 %.2f p95 %.2f p99 %.2f p99.9 %.2f max %.2f ms; client %.2f cores\n",
         latency_count, connections, latencies[latency_count / 2] / 1e6, latencies[latency_count * 95 / 100] / 1e6,
         latencies[latency_count * 99 / 100] / 1e6, latencies[latency_count * 999 / 1000] / 1e6,
         latencies[latency_count - 1] / 1e6, cpu / seconds);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "server") == 0) serve(atoi(argv[2]), NULL, 0, 0, 0);
  if (argc == 7 && strcmp(argv[1], "server") == 0)
    serve(atoi(argv[2]), argv[3], atoi(argv[4]), atoi(argv[5]), atol(argv[6]));
  if (argc == 8 && strcmp(argv[1], "client") == 0)
    return client(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]));
  fprintf(stderr, "usage: floor server PORT [DIR FILES FLUSH_THREADS PREALLOC_BYTES]\n"
                  "       floor client PORT CONNECTIONS RATE COUNT SIZE BATCH\n");
  return 2;
}
