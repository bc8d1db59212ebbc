/*
 * nft-watch (benchmark tool): prints one line per set element the kernel adds, the moment this
 * process receives the kernel's notification, stamped with CLOCK_MONOTONIC (the clock of Node's
 * process.hrtime): "<ns> <set> <address>". It listens to the nftables netlink group directly, so
 * the stamp carries only this process's wake-up, not `nft monitor`'s cache lookups nor a
 * JavaScript event loop.
 *
 * Usage: nft-watch  (in the namespace to watch; runs until killed)
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* The attribute of `type` among those in [start, start + len), or NULL. */
static const struct nlattr *find(const char *start, int len, uint16_t type) {
  for (const struct nlattr *a = (const struct nlattr *)start; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
       len -= NLA_ALIGN(a->nla_len), a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len))) {
    if ((a->nla_type & NLA_TYPE_MASK) == type) return a;
  }
  return NULL;
}

static const char *payload(const struct nlattr *a) { return (const char *)a + NLA_HDRLEN; }
static int payload_len(const struct nlattr *a) { return a->nla_len - NLA_HDRLEN; }

int main(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK, .nl_groups = 1U << (NFNLGRP_NFTABLES - 1)};
  if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
    fprintf(stderr, "nft-watch: netlink: %s\n", strerror(errno));
    return 1;
  }
  /* Room for a burst's notices (root may go past the system's limit); a line per notice, flushed
     when the kernel has no more for now, so a burst does not cost a write per element. */
  int big = 64 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  puts("ready");
  fflush(stdout);
  static char buf[1 << 16];
  for (;;) {
    int n = (int)recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EAGAIN) {
      fflush(stdout);
      n = (int)recv(fd, buf, sizeof buf, 0);
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (n < 0) {
      if (errno == ENOBUFS) fprintf(stderr, "nft-watch: notices lost (ENOBUFS)\n");
      if (errno == EINTR || errno == ENOBUFS) continue;
      return 1;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM)) continue;
      const char *attrs = (const char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct nfgenmsg));
      int len = (int)h->nlmsg_len - (int)(attrs - (const char *)h);
      const struct nlattr *set = find(attrs, len, NFTA_SET_ELEM_LIST_SET);
      const struct nlattr *list = find(attrs, len, NFTA_SET_ELEM_LIST_ELEMENTS);
      if (!set || !list) continue;
      /* Every element of the notice (the kernel may list several in one message). */
      int left = payload_len(list);
      for (const struct nlattr *elem = (const struct nlattr *)payload(list); left >= NLA_HDRLEN && elem->nla_len >= NLA_HDRLEN && elem->nla_len <= left;
           left -= NLA_ALIGN(elem->nla_len), elem = (const struct nlattr *)((const char *)elem + NLA_ALIGN(elem->nla_len))) {
        if ((elem->nla_type & NLA_TYPE_MASK) != NFTA_LIST_ELEM) continue;
        const struct nlattr *key = find(payload(elem), payload_len(elem), NFTA_SET_ELEM_KEY);
        const struct nlattr *value = key ? find(payload(key), payload_len(key), NFTA_DATA_VALUE) : NULL;
        if (!value) continue;
        char ip[INET6_ADDRSTRLEN] = "?";
        if (payload_len(value) == 4) inet_ntop(AF_INET, payload(value), ip, sizeof ip);
        else if (payload_len(value) == 16) inet_ntop(AF_INET6, payload(value), ip, sizeof ip);
        printf("%lld %.*s %s\n", (long long)now.tv_sec * 1000000000LL + now.tv_nsec, payload_len(set), payload(set), ip);
      }
    }
  }
}
