/**
 * A synthetic OpenSSH auth log with known truth, for replay tests and benchmarks: background
 * logins and scattered single failures (no response due), brute-force bursts from known
 * attackers (each should be blocked once), a repeat offender who returns after its block
 * expired (second, escalated block), and an attacker inside an allowlisted range.
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
