/**
 * Synthetic OpenSSH auth logs with known truth, for replay tests and benchmarks.
 * - makeAuthCorpus: background logins and scattered single failures (no response due),
 *   brute-force bursts from known attackers (each should be blocked once), a repeat offender who
 *   returns after its block expired (second, escalated block), and an attacker inside an
 *   allowlisted range.
 * - makeBruteForceCorpus: a distributed brute force (hundreds of sources at once) among
 *   legitimate users and scanners; every brute-force source should be blocked, nobody else.
 * @module
 */
import { prng } from './prng.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function stamp(t: number): string {
  const d = new Date(t * 1000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}


export interface AuthCorpus {
  lines: string[];
  /** Year of the stamps (they carry none). */
  year: number;
  attackers: string[];
  repeatOffender: string;
  allowlisted: string;
  /** Addresses that fail once or twice, far apart: never a response. */
  benign: string[];
}

/**
 * @param backgroundLines approximate number of background lines (the total grows with it)
 */
export function makeAuthCorpus(backgroundLines = 2000, seed = 1): AuthCorpus {
  const r = prng(seed);
  const year = 2024;
  const start = new Date(year, 2, 10, 0, 0, 0).getTime() / 1000;
  const attackers = ['203.0.113.10', '203.0.113.11', '203.0.113.12', '203.0.113.13', '2001:db8:bad::14'];
  const repeatOffender = '203.0.113.20';
  const allowlisted = '192.0.2.50';
  const benign = Array.from({ length: 20 }, (_, i) => `198.51.100.${100 + i}`);
  const events: Array<[number, string]> = [];
  let pid = 1000;
  const failBurst = (ip: string, at: number, count: number): void => {
    pid++;
    for (let i = 0; i < count; i++) {
      events.push([at + i * 2, `srv1 sshd[${pid}]: Failed password for invalid user admin${i % 3} from ${ip} port ${40000 + i} ssh2`]);
    }
  };
  // Background: successful logins from users' addresses, one every ~3 s.
  for (let i = 0; i < backgroundLines; i++) {
    const t = start + i * 3;
    const ip = `198.51.100.${1 + Math.floor(r() * 50)}`;
    events.push([t, `srv1 sshd[${2000 + i}]: Accepted password for alice from ${ip} port ${50000 + (i % 1000)} ssh2`]);
  }
  const span = backgroundLines * 3;
  // Benign single failures, each address at most twice and an hour apart.
  benign.forEach((ip, i) => {
    events.push([start + ((i * 97) % Math.max(1, span)), `srv1 sshd[${3000 + i}]: Failed password for bob from ${ip} port 51000 ssh2`]);
    if (i % 2 === 0) events.push([start + ((i * 97 + 3600) % Math.max(1, span)), `srv1 sshd[${3100 + i}]: Failed password for bob from ${ip} port 51001 ssh2`]);
  });
  attackers.forEach((ip, i) => failBurst(ip, start + 300 + i * 700, 10));
  failBurst(allowlisted, start + 200, 10);
  failBurst(repeatOffender, start + 100, 10);
  failBurst(repeatOffender, start + 100 + 2 * 3600, 10);
  events.sort((a, b) => a[0] - b[0]);
  return { lines: events.map(([t, msg]) => `${stamp(t)} ${msg}`), year, attackers, repeatOffender, allowlisted, benign };
}

/** What one source of {@link makeBruteForceCorpus} is. */
export type SourceRole = 'brute-force' | 'legitimate' | 'scanner';

export interface BruteForceCorpus {
  lines: string[];
  /** Year of the stamps (they carry none). */
  year: number;
  /** Every source address and its role: brute-force sources must be blocked, the others never. */
  roles: Map<string, SourceRole>;
}

export interface BruteForceOptions {
  /** Brute-force sources (default 300), all attacking within `spanSec`. */
  bruteForce?: number;
  /** Legitimate users' addresses (default 80). */
  legitimate?: number;
  /** Scanners and invalid-user probes that stay under every threshold (default 60). */
  scanners?: number;
  /** Seconds over which attacks start (default 3600). */
  spanSec?: number;
  seed?: number;
}

/**
 * A distributed SSH brute force with known truth, in the shape sshd and pam_unix write it on
 * Debian: hundreds of sources, interleaved, each crossing a brute-force threshold (8 failed
 * passwords for an account, or 8 invalid-user reports, within 120 s), some of them at the same
 * moment; legitimate users who log in, sometimes after mistyping their password once or twice;
 * scanners that probe the banner and try a few invalid names. Addresses come from the three
 * TEST-NET /24s and 2001:db8::/32, each /24 shared by every role.
 * @example makeBruteForceCorpus({ bruteForce: 300, seed: 7 }).roles.get('203.0.113.9') // 'brute-force'
 */
export function makeBruteForceCorpus(opts: BruteForceOptions = {}): BruteForceCorpus {
  const r = prng(opts.seed ?? 7);
  const nBrute = opts.bruteForce ?? 300;
  const nLegit = opts.legitimate ?? 80;
  const nScan = opts.scanners ?? 60;
  const span = opts.spanSec ?? 3600;
  const year = 2025;
  const start = new Date(year, 4, 12, 8, 0, 0).getTime() / 1000;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

  // Shuffle the address pool so that every /24 holds sources of every role.
  const pool: string[] = [];
  for (const net of ['192.0.2', '198.51.100', '203.0.113']) for (let h = 1; h <= 254; h++) pool.push(`${net}.${h}`);
  for (let h = 1; h <= 200; h++) pool.push(`2001:db8:${(h % 4) + 1}::${h.toString(16)}`);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  if (nBrute + nLegit + nScan > pool.length) throw new RangeError(`At most ${pool.length} sources`);
  const roles = new Map<string, SourceRole>();
  const take = (n: number, role: SourceRole): string[] =>
    Array.from({ length: n }, () => {
      const ip = pool.pop() as string;
      roles.set(ip, role);
      return ip;
    });
  const brute = take(nBrute, 'brute-force');
  const legit = take(nLegit, 'legitimate');
  const scanners = take(nScan, 'scanner');

  const events: Array<[number, string]> = [];
  let pid = 4000;
  const host = 'srv1';
  const sshd = (t: number, p: number, msg: string): void => {
    events.push([t, `${host} sshd[${p}]: ${msg}`]);
  };
  const pamFail = (t: number, p: number, ip: string, user: string | null): void => {
    sshd(t, p, `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${user ? `  user=${user}` : ''}`);
  };
  const ACCOUNTS = ['root', 'admin', 'ubuntu', 'deploy'];
  const INVALID = ['oracle', 'test', 'guest', 'postgres', 'ftpuser', 'pi', 'user1', 'support', 'git', 'hadoop'];

  for (const ip of brute) {
    // 8 to 30 passwords, a few seconds apart, so each source crosses 8 in 120 s. Bots try 1 to 4
    // passwords per connection; pam_unix reports the first failure of a connection and sums up
    // the others when it closes ("PAM N more"), so PAM's own count (5551) lags behind sshd's.
    let t = start + Math.floor(r() * span);
    let attempts = int(8, 30);
    const invalidNames = r() < 0.4;
    while (attempts > 0) {
      const tries = Math.min(attempts, int(1, 4));
      attempts -= tries;
      const p = ++pid;
      const port = int(1024, 65535);
      const name = invalidNames ? pick(INVALID) : pick(ACCOUNTS);
      const who = invalidNames ? `invalid user ${name}` : name;
      if (invalidNames) sshd(t++, p, `Invalid user ${name} from ${ip} port ${port}`);
      pamFail(t, p, ip, invalidNames ? null : name);
      for (let k = 0; k < tries; k++) {
        t += int(2, 6);
        sshd(t, p, `Failed password for ${who} from ${ip} port ${port} ssh2`);
      }
      sshd(t, p, `Connection closed by ${invalidNames ? 'invalid' : 'authenticating'} user ${name} ${ip} port ${port} [preauth]`);
      if (tries > 1) {
        sshd(t, p, `PAM ${tries - 1} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${invalidNames ? '' : `  user=${name}`}`);
      }
      t += int(1, 6);
    }
  }

  const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
  for (const ip of legit) {
    // A few sessions over the day, at most two typos each (below every threshold).
    const user = pick(USERS);
    let t = start + Math.floor(r() * span);
    for (let s = int(1, 4); s > 0; s--) {
      const p = ++pid;
      const port = int(1024, 65535);
      const typos = r() < 0.5 ? int(1, 2) : 0;
      for (let k = 0; k < typos; k++) {
        pamFail(t, p, ip, user);
        sshd(t + 2, p, `Failed password for ${user} from ${ip} port ${port} ssh2`);
        t += int(4, 10);
      }
      if (r() < 0.5) sshd(t, p, `Accepted password for ${user} from ${ip} port ${port} ssh2`);
      else sshd(t, p, `Accepted publickey for ${user} from ${ip} port ${port} ssh2: ED25519 SHA256:${(p * 7919).toString(36)}kq`);
      sshd(t, p, `pam_unix(sshd:session): session opened for user ${user}(uid=1000) by (uid=0)`);
      t += int(60, 1800);
      sshd(t, p, `Received disconnect from ${ip} port ${port}:11: disconnected by user`);
      sshd(t, p, `Disconnected from user ${user} ${ip} port ${port}`);
      sshd(t, p, `pam_unix(sshd:session): session closed for user ${user}`);
      t += int(300, 3600);
    }
  }

  for (const ip of scanners) {
    let t = start + Math.floor(r() * span);
    for (let k = int(1, 3); k > 0; k--) {
      const p = ++pid;
      const port = int(1024, 65535);
      switch (int(0, 3)) {
        case 0:
          sshd(t, p, `Did not receive identification string from ${ip} port ${port}`);
          break;
        case 1:
          sshd(t, p, `Unable to negotiate with ${ip} port ${port}: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]`);
          break;
        case 2:
          sshd(t, p, `Connection closed by ${ip} port ${port} [preauth]`);
          break;
        default: {
          const name = pick(INVALID);
          sshd(t, p, `Invalid user ${name} from ${ip} port ${port}`);
          sshd(t + 1, p, `Connection closed by invalid user ${name} ${ip} port ${port} [preauth]`);
        }
      }
      t += int(30, 900);
    }
  }

  // Stable sort: the lines of one connection keep their order within a second.
  events.sort((a, b) => a[0] - b[0]);
  return { lines: events.map(([t, msg]) => `${stamp(t)} ${msg}`), year, roles };
}
