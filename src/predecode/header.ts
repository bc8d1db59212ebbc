/**
 * Recognition of the leading timestamp, as `OS_CleanMSG` tests it: fixed character positions
 * only (no digit checks except where the C has them), in the C's order, guarded by the same
 * length checks (`loglen` in the C is the message length plus one).
 * @module
 */
import { DIGIT } from './chars.ts';

/** No known header. */
export const HDR_NONE = 0;
/** A syslog-style timestamp: the host and program name follow. `skip` says where `log` starts. */
export const HDR_SYSLOG = 1;
/** `Mon Apr 17 18:27:14 2006 ` (xferlog). */
export const HDR_XFERLOG = 2;
/** `01/28-09:13:16.240702  ` (snort). */
export const HDR_SNORT = 3;
/** `01/28/1979-09:13:16.240702  ` (suricata). */
export const HDR_SURICATA = 4;
/** `[Fri Feb 11 18:06:35 2004] ` (apache). */
export const HDR_APACHE = 5;
/** `[Time 2006.12.28 15:53:55 UTC] [Sender …] [Message …] [Host …]` (macOS ASL). */
export const HDR_ASL = 6;
/** `1140804070.368  …` (squid epoch). */
export const HDR_SQUID = 7;

/** Where the syslog-style timestamp ends (`lf->log` offset) after {@link classifyHeader}. */
export let syslogSkip = 0;

/**
 * Classify the header of `s`. `n` is the length of the original message: it differs from
 * `s.length` only in the "Mär" repair, where the C tests a view shifted by one byte but keeps
 * the original length. For {@link HDR_SYSLOG}, {@link syslogSkip} is set (a module variable
 * rather than a returned object, to keep this allocation-free on the hot path).
 */
export function classifyHeader(s: string, n: number): number {
  const loglen = n + 1;
  const c3 = s.charCodeAt(3);
  const c4 = s.charCodeAt(4);
  // "Dec 29 10:00:01 "
  if (loglen > 17 && c3 === 0x20 && s.charCodeAt(6) === 0x20 && s.charCodeAt(9) === 0x3a && s.charCodeAt(12) === 0x3a && s.charCodeAt(15) === 0x20) {
    syslogSkip = 16;
    return HDR_SYSLOG;
  }
  if (c4 === 0x2d && s.charCodeAt(7) === 0x2d && s.charCodeAt(13) === 0x3a && s.charCodeAt(16) === 0x3a) {
    const c10 = s.charCodeAt(10);
    const c19 = s.charCodeAt(19);
    // "2015-04-16 21:51:02,805 " (proftpd)
    if (loglen > 24 && c10 === 0x20 && c19 === 0x2c) {
      syslogSkip = 24;
      return HDR_SYSLOG;
    }
    // ISO 8601 with a 'T'. The fractional form only looks for a ':' in the offset at two fixed
    // places and otherwise assumes a 6-digit fraction with a 5-char offset: so "…Z" and short
    // fractions are cut at the wrong place, which the golden data shows.
    if (loglen > 33 && c10 === 0x54) {
      if (s.charCodeAt(22) === 0x3a && s.charCodeAt(25) === 0x20) {
        syslogSkip = 26;
        return HDR_SYSLOG;
      }
      if (c19 === 0x2e) {
        syslogSkip = s.charCodeAt(26) === 0x3a ? 30 : s.charCodeAt(29) === 0x3a ? 33 : 32;
        return HDR_SYSLOG;
      }
    }
  }
  // "2015 Dec 29 10:00:01 "
  if (loglen > 21 && DIGIT[s.charCodeAt(0)] === 1 && c4 === 0x20 && s.charCodeAt(8) === 0x20 && s.charCodeAt(11) === 0x20 && s.charCodeAt(14) === 0x3a && s.charCodeAt(17) === 0x3a && s.charCodeAt(20) === 0x20) {
    syslogSkip = 21;
    return HDR_SYSLOG;
  }
  // "2021-04-21 10:16:09.404756-0700 " (macOS ULS)
  if (
    loglen > 32 && DIGIT[s.charCodeAt(0)] === 1 && c4 === 0x2d && s.charCodeAt(7) === 0x2d && s.charCodeAt(10) === 0x20 &&
    s.charCodeAt(13) === 0x3a && s.charCodeAt(16) === 0x3a && s.charCodeAt(19) === 0x2e &&
    (s.charCodeAt(26) === 0x2d || s.charCodeAt(26) === 0x2b) && s.charCodeAt(31) === 0x20
  ) {
    syslogSkip = 32;
    return HDR_SYSLOG;
  }
  // xferlog
  if (loglen > 28 && c3 === 0x20 && s.charCodeAt(7) === 0x20 && s.charCodeAt(10) === 0x20 && s.charCodeAt(13) === 0x3a && s.charCodeAt(16) === 0x3a && s.charCodeAt(19) === 0x20 && s.charCodeAt(24) === 0x20 && s.charCodeAt(26) === 0x20) {
    return HDR_XFERLOG;
  }
  const c2 = s.charCodeAt(2);
  // snort
  if (loglen > 24 && c2 === 0x2f && s.charCodeAt(5) === 0x2d && s.charCodeAt(8) === 0x3a && s.charCodeAt(11) === 0x3a && s.charCodeAt(14) === 0x2e && s.charCodeAt(21) === 0x20) {
    return HDR_SNORT;
  }
  // suricata
  if (loglen > 26 && c2 === 0x2f && s.charCodeAt(5) === 0x2f && s.charCodeAt(10) === 0x2d && s.charCodeAt(13) === 0x3a && s.charCodeAt(16) === 0x3a && s.charCodeAt(19) === 0x2e && s.charCodeAt(26) === 0x20) {
    return HDR_SURICATA;
  }
  const c0 = s.charCodeAt(0);
  // apache
  if (loglen > 27 && c0 === 0x5b && c4 === 0x20 && s.charCodeAt(8) === 0x20 && s.charCodeAt(11) === 0x20 && s.charCodeAt(14) === 0x3a && s.charCodeAt(17) === 0x3a && s.charCodeAt(20) === 0x20 && s.charCodeAt(25) === 0x5d) {
    return HDR_APACHE;
  }
  // macOS ASL
  if (loglen > 26 && c0 === 0x5b && s.charCodeAt(1) === 0x54 && s.charCodeAt(5) === 0x20 && s.charCodeAt(10) === 0x2e && s.charCodeAt(13) === 0x2e && s.charCodeAt(16) === 0x20 && s.charCodeAt(19) === 0x3a) {
    return HDR_ASL;
  }
  // squid
  if (
    loglen > 32 && c0 === 0x31 && DIGIT[s.charCodeAt(1)] === 1 && DIGIT[c2] === 1 && DIGIT[c3] === 1 &&
    s.charCodeAt(10) === 0x2e && DIGIT[s.charCodeAt(13)] === 1 && s.charCodeAt(14) === 0x20 &&
    (s.charCodeAt(21) === 0x20 || s.charCodeAt(22) === 0x20)
  ) {
    return HDR_SQUID;
  }
  return HDR_NONE;
}
