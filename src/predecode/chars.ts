/**
 * Byte classes used by the pre-decoder, as 256-entry lookup tables indexed by char code (byte
 * strings only hold codes 0–255; anything else, including NaN from an out-of-range read, maps
 * to `undefined` and so to "not in the class").
 * @module
 */

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0;
  return t;
}

const isAsciiDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAsciiLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isAsciiUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;

/**
 * Wazuh's `hostname_map` (`isValidChar`): `A-Z a-z 0-9 ( ) - . / @ _`. Used for both the syslog
 * host and the program name.
 */
export const HOST_CHAR = table(
  (c) => isAsciiDigit(c) || isAsciiLower(c) || isAsciiUpper(c) || c === 0x28 || c === 0x29 || c === 0x2d || c === 0x2e || c === 0x2f || c === 0x40 || c === 0x5f,
);

/** C-locale `isdigit`. */
export const DIGIT = table(isAsciiDigit);

/** C-locale `isalnum`. */
export const ALNUM = table((c) => isAsciiDigit(c) || isAsciiLower(c) || isAsciiUpper(c));

/** C-locale `islower`. */
export const LOWER = table(isAsciiLower);

/** C-locale `isupper`. */
export const UPPER = table(isAsciiUpper);
