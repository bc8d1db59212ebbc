/*
 * riposte-nfset: puts addresses into an nftables set by talking netlink to the kernel directly.
 *
 * The daemon's in-process firewall-drop keeps one of these running and writes one request per
 * line on its stdin; each answer is one line on stdout. A block is then one netlink transaction
 * (add element, delete it, add it with its timeout: so a repeated block always ends with exactly
 * the new timeout), with none of what an `nft` command costs per call: reading its input one byte
 * at a time and fetching the ruleset cache (tables, chains, sets; every element with -e) first.
 *
 * Usage:    riposte-nfset TABLE SET4 SET6        (tables of the inet family)
 * Requests: add IP TIMEOUT_SECONDS               (0: no timeout)
 * Answers:  ok | err ERRNO MESSAGE
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
/* nft's own limit for an element timeout (seconds); the caller never sends more. */
#define MAX_TIMEOUT_SEC 99999999ULL

static char batch[4096];
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

/* One NEWSETELEM / DELSETELEM message for one key, acknowledged by the kernel. */
static uint32_t setelem(uint16_t type, uint16_t flags, const char *table, const char *set, const void *key, size_t key_len, uint64_t timeout_ms) {
  struct nlmsghdr *nlh = msg_start((NFNL_SUBSYS_NFTABLES << 8) | type, flags | NLM_F_ACK, NFPROTO_INET, 0);
  attr(nlh, NFTA_SET_ELEM_LIST_TABLE, table, strlen(table) + 1);
  attr(nlh, NFTA_SET_ELEM_LIST_SET, set, strlen(set) + 1);
  struct nlattr *list = nest(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
  struct nlattr *elem = nest(nlh, NFTA_LIST_ELEM);
  struct nlattr *k = nest(nlh, NFTA_SET_ELEM_KEY);
  attr(nlh, NFTA_DATA_VALUE, key, key_len);
  nest_end(nlh, k);
  if (timeout_ms) {
    uint64_t be = htobe64(timeout_ms);
    attr(nlh, NFTA_SET_ELEM_TIMEOUT, &be, sizeof be);
  }
  nest_end(nlh, elem);
  nest_end(nlh, list);
  msg_end(nlh);
  return nlh->nlmsg_seq;
}

static void batch_marker(uint16_t type) {
  msg_end(msg_start(type, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES));
}

/* Send the batch; wait for the acknowledgements of seqs [first, last]. 0 or a positive errno. */
static int transact(int fd, uint32_t first, uint32_t last) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, batch, batch_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return errno;
  uint32_t missing = last - first + 1;
  int failure = 0;
  char buf[16384];
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

int main(int argc, char **argv) {
  if (argc != 4 || strlen(argv[1]) >= MAX_NAME || strlen(argv[2]) >= MAX_NAME || strlen(argv[3]) >= MAX_NAME) {
    fprintf(stderr, "usage: riposte-nfset TABLE SET4 SET6 (names shorter than %d bytes)\n", MAX_NAME);
    return 2;
  }
  const char *table = argv[1];
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  struct timeval tv = {.tv_sec = 2};
  if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
    fprintf(stderr, "riposte-nfset: netlink: %s\n", strerror(errno));
    return 1;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  char line[MAX_LINE + 2];
  while (fgets(line, sizeof line, stdin)) {
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n') {
      /* Too long (or unterminated at end of input): drop the rest of it. */
      int c;
      while (len > 0 && line[len - 1] != '\n' && (c = getchar()) != EOF && c != '\n') {}
      printf("err %d request too long\n", EINVAL);
      continue;
    }
    line[len - 1] = '\0';
    char ip[MAX_LINE], extra;
    unsigned long long timeout_sec;
    unsigned char key[16];
    size_t key_len;
    if (sscanf(line, "add %255s %llu %c", ip, &timeout_sec, &extra) != 2 || timeout_sec > MAX_TIMEOUT_SEC) {
      printf("err %d bad request\n", EINVAL);
      continue;
    }
    const char *set;
    if (inet_pton(AF_INET, ip, key) == 1) {
      key_len = 4;
      set = argv[2];
    } else if (inet_pton(AF_INET6, ip, key) == 1) {
      key_len = 16;
      set = argv[3];
    } else {
      printf("err %d not a numeric address\n", EINVAL);
      continue;
    }
    batch_len = 0;
    batch_marker(NFNL_MSG_BATCH_BEGIN);
    uint32_t first = setelem(NFT_MSG_NEWSETELEM, NLM_F_CREATE, table, set, key, key_len, 0);
    setelem(NFT_MSG_DELSETELEM, 0, table, set, key, key_len, 0);
    uint32_t last = setelem(NFT_MSG_NEWSETELEM, NLM_F_CREATE, table, set, key, key_len, timeout_sec * 1000ULL);
    batch_marker(NFNL_MSG_BATCH_END);
    int err = transact(fd, first, last);
    if (err == 0) printf("ok\n");
    else printf("err %d %s\n", err, strerror(err));
  }
  return 0;
}
