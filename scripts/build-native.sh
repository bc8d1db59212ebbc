#!/usr/bin/env bash
# Builds Riposte's netlink helper (native/riposte-nfset.c → build/riposte-nfset); run by `npm ci`
# (postinstall). Optional: without a C compiler or the kernel headers the daemon blocks through
# `nft -i` instead (≈1 ms slower per block), so a failure here is reported, never fatal.
set -uo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -s)" = Linux ] || exit 0
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "riposte: no C compiler: not building build/riposte-nfset (blocks will go through nft -i)" >&2
  exit 0
fi
mkdir -p build
if "$cc" -O2 -Wall -Wextra -Werror -o build/riposte-nfset.tmp native/riposte-nfset.c; then
  mv build/riposte-nfset.tmp build/riposte-nfset
else
  rm -f build/riposte-nfset.tmp
  echo "riposte: could not build build/riposte-nfset (needs gcc and linux-libc-dev); blocks will go through nft -i" >&2
fi
exit 0
