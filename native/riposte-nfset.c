/*
 * riposte-nfset: puts addresses into (and takes them out of) an nftables set by talking netlink
 * to the kernel directly, many per transaction, and ends the blocked addresses' tracked
 * connections in one conntrack pass per transaction.
 *
 * The daemon's in-process firewall-drop keeps one of these running and writes requests on its
 * stdin, one per line; each gets one answer line on stdout, in order. Every request already
 * waiting when a transaction starts goes into it (group commit: up to MAX_BATCH, and never the
 * same address twice in one), so a burst of blocks costs a few transactions, not one each. A
 * block is: add the element, delete it, add it with its timeout, so that a repeated block always
 * ends with exactly the new timeout. An unblock is: add the element (no timeout), delete it, so
 * that it succeeds whether or not the element was there. If the kernel refuses a transaction,
 * its requests are tried again one per transaction, so one refusal answers only its own request.
 *
 * After a transaction with blocks, the conntrack table is dumped once over ctnetlink and every
 * entry whose original source or destination is one of them is deleted (what `conntrack -D -s IP`
 * and `conntrack -D -d IP` do, once per batch instead of twice per address, with no process).
 * That part is best effort: without conntrack support it deletes nothing, and the block stands.
 *
 * Usage:    riposte-nfset TABLE SET4 SET6        (tables of the inet family)
 * Requests: add IP TIMEOUT_SECONDS               (0: no timeout)
 *           del IP
 * Answers:  ok N (N: tracked connections ended; 0 for del) | err ERRNO MESSAGE
 *
 * The address is parsed with inet_pton (numeric IPv4 or IPv6 only); anything else is refused
 * before netlink is involved. The process ends at end of input.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_NAME 64
#define MAX_LINE 256
/* Requests per transaction: keeps each element list inside one netlink attribute (64 KiB). */
#define MAX_BATCH 1024
/* nft's own limit for an element timeout (seconds); the caller never sends more. */
#define MAX_TIMEOUT_SEC 99999999ULL

enum kind { ADD, DEL, BAD };

struct req {
  enum kind kind;
  int family; /* 4 or 6 */
  unsigned char key[16];
  unsigned long long timeout_sec;
  const char *bad; /* why a BAD request was refused */
  int err;         /* errno of its transaction, 0: done */
  unsigned long ended;
};

static struct req reqs[MAX_BATCH];
static size_t nreqs;
static const char *table, *sets[2];

static char batch[1 << 20];
static size_t batch_len;
static uint32_t seq;

static struct nlmsghdr *msg_start(uint16_t type, uint16_t flags, uint8_t family, uint16_t res_id) {
  struct nlmsghdr *nlh = (struct nlmsghdr *)(batch + batch_len);
  memset(nlh, 0, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)));
  nlh->nlmsg_len = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  nlh->nlmsg_seq = ++seq;
  struct nfgenmsg *g = NLMSG_DATA(nlh);
  g->nfgen_family = family;
  g->version = NFNETLINK_V0;
  g->res_id = htons(res_id);
  return nlh;
}

static void msg_end(struct nlmsghdr *nlh) { batch_len += NLMSG_ALIGN(nlh->nlmsg_len); }

static struct nlattr *attr(struct nlmsghdr *nlh, uint16_t type, const void *data, size_t len) {
  struct nlattr *a = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);
  a->nla_type = type;
  a->nla_len = (uint16_t)(NLA_HDRLEN + len);
  if (len) memcpy((char *)a + NLA_HDRLEN, data, len);
  memset((char *)a + a->nla_len, 0, NLA_ALIGN(a->nla_len) - a->nla_len);
  nlh->nlmsg_len += NLA_ALIGN(a->nla_len);
  return a;
}

static struct nlattr *nest(struct nlmsghdr *nlh, uint16_t type) { return attr(nlh, type | NLA_F_NESTED, NULL, 0); }

static void nest_end(struct nlmsghdr *nlh, struct nlattr *a) { a->nla_len = (uint16_t)((char *)nlh + nlh->nlmsg_len - (char *)a); }

/*
 * One NEWSETELEM / DELSETELEM message for the requests [from, to) of `family` whose kind is in
 * `kinds` (a bit mask), with their timeouts when `with_timeout`; returns its seq, or 0 when no
 * request matched (nothing is added to the batch then).
 */
static uint32_t setelems(uint16_t type, uint16_t flags, int family, unsigned kinds, int with_timeout, size_t from, size_t to) {
  size_t start = batch_len;
  struct nlmsghdr *nlh = msg_start((NFNL_SUBSYS_NFTABLES << 8) | type, flags | NLM_F_ACK, NFPROTO_INET, 0);
  attr(nlh, NFTA_SET_ELEM_LIST_TABLE, table, strlen(table) + 1);
  attr(nlh, NFTA_SET_ELEM_LIST_SET, sets[family == 6], strlen(sets[family == 6]) + 1);
  struct nlattr *list = nest(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
  int any = 0;
  for (size_t i = from; i < to; i++) {
    const struct req *r = &reqs[i];
    if (r->kind == BAD || !(kinds & (1u << r->kind)) || r->family != family) continue;
    any = 1;
    struct nlattr *elem = nest(nlh, NFTA_LIST_ELEM);
    struct nlattr *k = nest(nlh, NFTA_SET_ELEM_KEY);
    attr(nlh, NFTA_DATA_VALUE, r->key, family == 6 ? 16 : 4);
    nest_end(nlh, k);
    if (with_timeout && r->timeout_sec) {
      uint64_t be = htobe64(r->timeout_sec * 1000ULL);
      attr(nlh, NFTA_SET_ELEM_TIMEOUT, &be, sizeof be);
    }
    nest_end(nlh, elem);
  }
  if (!any) {
    batch_len = start;
    seq--;
    return 0;
  }
  nest_end(nlh, list);
  msg_end(nlh);
  return nlh->nlmsg_seq;
}

static void batch_marker(uint16_t type) { msg_end(msg_start(type, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES)); }

/* Send the batch; wait for the acknowledgements of seqs [first, last]. 0 or a positive errno. */
static int transact(int fd, uint32_t first, uint32_t last) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, batch, batch_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return errno;
  uint32_t missing = last - first + 1;
  int failure = 0;
  static char buf[65536];
  while (missing > 0) {
    int n = (int)recv(fd, buf, sizeof buf, 0);
    if (n < 0) return errno == EAGAIN ? ETIMEDOUT : errno;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != NLMSG_ERROR) continue;
      const struct nlmsgerr *e = NLMSG_DATA(h);
      if (e->error != 0 && failure == 0) failure = -e->error;
      if (h->nlmsg_seq >= first && h->nlmsg_seq <= last) missing--;
      else if (e->error != 0) return failure; /* the batch itself was refused: nothing else comes */
    }
  }
  return failure;
}

/* The requests [from, to) as one transaction; 0 or a positive errno. */
static int apply(int fd, size_t from, size_t to) {
  batch_len = 0;
  batch_marker(NFNL_MSG_BATCH_BEGIN);
  uint32_t first = 0, last = 0;
  const unsigned adds = 1u << ADD, all = (1u << ADD) | (1u << DEL);
  for (int family = 4; family <= 6; family += 2) {
    uint32_t s[3] = {
        setelems(NFT_MSG_NEWSETELEM, NLM_F_CREATE, family, all, 0, from, to),
        setelems(NFT_MSG_DELSETELEM, 0, family, all, 0, from, to),
        setelems(NFT_MSG_NEWSETELEM, NLM_F_CREATE, family, adds, 1, from, to),
    };
    for (int i = 0; i < 3; i++) {
      if (!s[i]) continue;
      if (!first) first = s[i];
      last = s[i];
    }
  }
  batch_marker(NFNL_MSG_BATCH_END);
  return first ? transact(fd, first, last) : 0;
}

/* ── conntrack: one dump, then a delete per matching entry ─────────────────────────────────── */

struct victim {
  uint8_t family;
  size_t owner;           /* the request whose address matched */
  unsigned char tuple[256]; /* CTA_TUPLE_ORIG as received, then CTA_ZONE if any */
  size_t len;
};

static struct victim *victims;
static size_t nvictims, cap_victims;

static const struct nlattr *find(const void *start, int len, uint16_t type) {
  for (const struct nlattr *a = start; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
       len -= NLA_ALIGN(a->nla_len), a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len))) {
    if ((a->nla_type & NLA_TYPE_MASK) == type) return a;
  }
  return NULL;
}

#define NLA_DATA(a) ((const char *)(a) + NLA_HDRLEN)
#define NLA_LEN(a) ((int)(a)->nla_len - NLA_HDRLEN)

/* The blocked request (ADD, done) whose address is `addr`, or -1. */
static long owner_of(int family, const struct nlattr *addr) {
  if (!addr || NLA_LEN(addr) != (family == 6 ? 16 : 4)) return -1;
  for (size_t i = 0; i < nreqs; i++) {
    const struct req *r = &reqs[i];
    if (r->kind == ADD && r->err == 0 && r->family == family && memcmp(r->key, NLA_DATA(addr), family == 6 ? 16 : 4) == 0) return (long)i;
  }
  return -1;
}

static void consider(const struct nlmsghdr *h) {
  const struct nfgenmsg *g = NLMSG_DATA(h);
  const char *attrs = (const char *)g + NLMSG_ALIGN(sizeof *g);
  int len = (int)h->nlmsg_len - (int)(attrs - (const char *)h);
  const struct nlattr *orig = find(attrs, len, CTA_TUPLE_ORIG);
  if (!orig) return;
  const struct nlattr *ip = find(NLA_DATA(orig), NLA_LEN(orig), CTA_TUPLE_IP);
  if (!ip) return;
  int family = g->nfgen_family == AF_INET6 ? 6 : 4;
  long who = owner_of(family, find(NLA_DATA(ip), NLA_LEN(ip), family == 6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC));
  if (who < 0) who = owner_of(family, find(NLA_DATA(ip), NLA_LEN(ip), family == 6 ? CTA_IP_V6_DST : CTA_IP_V4_DST));
  if (who < 0) return;
  const struct nlattr *zone = find(attrs, len, CTA_ZONE);
  size_t need = NLA_ALIGN(orig->nla_len) + (zone ? NLA_ALIGN(zone->nla_len) : 0);
  if (need > sizeof victims[0].tuple) return;
  if (nvictims == cap_victims) {
    size_t cap = cap_victims ? cap_victims * 2 : 256;
    struct victim *v = realloc(victims, cap * sizeof *v);
    if (!v) return;
    victims = v;
    cap_victims = cap;
  }
  struct victim *v = &victims[nvictims++];
  v->family = g->nfgen_family;
  v->owner = (size_t)who;
  memcpy(v->tuple, orig, NLA_ALIGN(orig->nla_len));
  v->len = NLA_ALIGN(orig->nla_len);
  if (zone) {
    memcpy(v->tuple + v->len, zone, NLA_ALIGN(zone->nla_len));
    v->len += NLA_ALIGN(zone->nla_len);
  }
}

/* Dump the table once and note the entries of the batch's blocked addresses. */
static void ct_collect(int fd) {
  nvictims = 0;
  batch_len = 0;
  struct nlmsghdr *nlh = msg_start((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC, 0);
  msg_end(nlh);
  uint32_t dump = nlh->nlmsg_seq;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, batch, batch_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return;
  static char buf[1 << 16];
  for (;;) {
    int n = (int)recv(fd, buf, sizeof buf, 0);
    if (n < 0) return;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != dump) continue;
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return;
      if (h->nlmsg_type == ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW)) consider(h);
    }
  }
}

/* Delete the noted entries (64 per send) and credit each success to its address's request. */
static void ct_delete(int fd) {
  for (size_t at = 0; at < nvictims;) {
    size_t end = at + 64 < nvictims ? at + 64 : nvictims;
    batch_len = 0;
    uint32_t first = seq + 1;
    for (size_t i = at; i < end; i++) {
      struct nlmsghdr *nlh = msg_start((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, NLM_F_ACK, victims[i].family, 0);
      memcpy((char *)nlh + nlh->nlmsg_len, victims[i].tuple, victims[i].len);
      nlh->nlmsg_len += (uint32_t)victims[i].len;
      msg_end(nlh);
    }
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, batch, batch_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return;
    size_t missing = end - at;
    static char buf[1 << 16];
    while (missing > 0) {
      int n = (int)recv(fd, buf, sizeof buf, 0);
      if (n < 0) return;
      for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq < first || h->nlmsg_seq >= first + (end - at)) continue;
        missing--;
        /* ENOENT: it ended by itself meanwhile. */
        if (((const struct nlmsgerr *)NLMSG_DATA(h))->error == 0) reqs[victims[at + (h->nlmsg_seq - first)].owner].ended++;
      }
    }
    at = end;
  }
}

/* ── requests ──────────────────────────────────────────────────────────────────────────────── */

/* Parse one request line (without its newline) into `r`. */
static void parse(char *line, struct req *r) {
  memset(r, 0, sizeof *r);
  char ip[MAX_LINE], extra;
  if (sscanf(line, "add %255s %llu %c", ip, &r->timeout_sec, &extra) == 2) {
    r->kind = ADD;
    if (r->timeout_sec > MAX_TIMEOUT_SEC) r->kind = BAD, r->bad = "bad request";
  } else if (sscanf(line, "del %255s %c", ip, &extra) == 1) {
    r->kind = DEL;
  } else {
    r->kind = BAD;
    r->bad = "bad request";
    return;
  }
  if (r->kind == BAD) return;
  if (inet_pton(AF_INET, ip, r->key) == 1) r->family = 4;
  else if (inet_pton(AF_INET6, ip, r->key) == 1) r->family = 6;
  else r->kind = BAD, r->bad = "not a numeric address";
}

static int same_address(const struct req *a, const struct req *b) {
  return a->kind != BAD && b->kind != BAD && a->family == b->family && memcmp(a->key, b->key, a->family == 6 ? 16 : 4) == 0;
}

static char in[1 << 20];
static size_t in_len;
/* Inside a line longer than MAX_LINE whose end has not come yet (its start was dropped). */
static int skipping;

/* Read until at least one full line is buffered; 0 at end of input. */
static int fill(void) {
  while (!memchr(in, '\n', in_len)) {
    if (in_len > MAX_LINE) {
      in_len = 0;
      skipping = 1;
    }
    ssize_t n = read(0, in + in_len, sizeof in - in_len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    in_len += (size_t)n;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 4 || strlen(argv[1]) >= MAX_NAME || strlen(argv[2]) >= MAX_NAME || strlen(argv[3]) >= MAX_NAME) {
    fprintf(stderr, "usage: riposte-nfset TABLE SET4 SET6 (names shorter than %d bytes)\n", MAX_NAME);
    return 2;
  }
  table = argv[1];
  sets[0] = argv[2];
  sets[1] = argv[3];
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  int ct = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  struct timeval tv = {.tv_sec = 2};
  int one = 1, big = 4 << 20;
  if (fd < 0 || ct < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) < 0 || bind(ct, (struct sockaddr *)&local, sizeof local) < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 || setsockopt(ct, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
    fprintf(stderr, "riposte-nfset: netlink: %s\n", strerror(errno));
    return 1;
  }
  /* A refused request's error carries only its header, not the whole element list. */
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  setsockopt(ct, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  /* Room for a full batch (root may go past the system's default limit). */
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) < 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  if (setsockopt(ct, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0) setsockopt(ct, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  static char out[MAX_BATCH * 64];
  for (;;) {
    if (!fill()) {
      /* Unterminated text at end of input is a request too long or cut short: refuse it. */
      if (in_len > 0 || skipping) printf("err %d request too long\n", EINVAL);
      return 0;
    }
    /* Take the complete lines buffered now, up to MAX_BATCH and up to a repeated address. */
    nreqs = 0;
    size_t used = 0;
    while (nreqs < MAX_BATCH) {
      char *nl = memchr(in + used, '\n', in_len - used);
      if (!nl) break;
      size_t len = (size_t)(nl - (in + used));
      struct req r;
      if (skipping || len > MAX_LINE) {
        memset(&r, 0, sizeof r);
        r.kind = BAD;
        r.bad = "request too long";
        skipping = 0;
      } else {
        *nl = '\0';
        parse(in + used, &r);
        *nl = '\n';
      }
      int dup = 0;
      for (size_t i = 0; i < nreqs && !dup; i++) dup = same_address(&reqs[i], &r);
      if (dup) break;
      reqs[nreqs++] = r;
      used += len + 1;
    }
    memmove(in, in + used, in_len - used);
    in_len -= used;

    int err = apply(fd, 0, nreqs);
    int adds = 0;
    for (size_t i = 0; i < nreqs; i++) {
      if (reqs[i].kind == BAD) continue;
      /* Refused as a whole: one transaction per request, so each gets its own verdict. */
      reqs[i].err = err == 0 ? 0 : apply(fd, i, i + 1);
      if (reqs[i].kind == ADD && reqs[i].err == 0) adds = 1;
    }
    if (adds) {
      ct_collect(ct);
      ct_delete(ct);
    }
    size_t o = 0;
    for (size_t i = 0; i < nreqs; i++) {
      const struct req *r = &reqs[i];
      int n;
      if (r->kind == BAD) n = snprintf(out + o, sizeof out - o, "err %d %s\n", EINVAL, r->bad);
      else if (r->err) n = snprintf(out + o, sizeof out - o, "err %d %s\n", r->err, strerror(r->err));
      else n = snprintf(out + o, sizeof out - o, "ok %lu\n", r->ended);
      o += (size_t)n;
    }
    for (size_t w = 0; w < o;) {
      ssize_t n = write(1, out + w, o - w);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return 1;
      w += (size_t)n;
    }
  }
}
