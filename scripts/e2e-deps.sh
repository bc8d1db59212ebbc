#!/usr/bin/env bash
# Install what the end-to-end test (test/e2e) and the latency bench (bench/latency.ts) need:
# a real OpenSSH server and client, sshpass, a real syslog daemon, systemd-journald and journalctl
# (the journal lab and the journal source tests run a private journald), nftables and the namespace
# tools. Idempotent: installs only the packages that are missing, so running it twice is a no-op.
#
# Installing openssh-server or rsyslog must not start the HOST's sshd or rsyslogd (a host sshd
# would listen on every address; a host rsyslogd would take /dev/log): the Debian way is a
# policy-rc.d that answers 101 ("action forbidden") during the install. An existing one is kept;
# one we add is removed afterwards, even on failure.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=(openssh-server openssh-client sshpass rsyslog systemd nftables conntrack iproute2 util-linux passwd findutils)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  added_policy=1
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
if [ "$added_policy" = 1 ]; then
  rm -f "$policy"
  trap - EXIT
fi
