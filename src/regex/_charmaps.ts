/**
 * Byte tables shared by the OS_Regex and OS_Match engines. They mirror the reference C tables
 * (`os_regex_maps.c`): case folding touches ASCII letters only, and each OS_Regex class is a
 * 256-entry membership row. Private to `src/regex`.
 * @module
 */

/** ASCII-only lower-casing of a byte (latin1 letters are left alone, as in the C `charmap`). */
export const LOWER: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) t[i] = i >= 65 && i <= 90 ? i + 32 : i;
  return t;
})();

/**
 * The escape letters OS_Regex accepts and the internal code each compiles to. The codes are
 * what the C compiler writes after the backslash, so they double as row numbers in `CLASS`.
 */
export const ESCAPE_CODES: Readonly<Record<string, number>> = {
  d: 1, w: 2, s: 3, p: 4, '(': 5, ')': 6, '\\': 7, D: 8, W: 9, S: 10, '.': 11, t: 12, $: 13, '|': 14, '<': 15,
};

/** Number of class rows (code 0 is unused, codes 1..15 are the escapes). */
const ROWS = 16;

/**
 * `CLASS[(code << 8) | byte]` is 1 when `byte` belongs to the class of escape `code`.
 * Built from the character sets of the C tables (only entries equal to 1 count there).
 */
export const CLASS: Uint8Array = (() => {
  const t = new Uint8Array(ROWS * 256);
  const set = (code: number, pred: (c: number) => boolean): void => {
    for (let c = 0; c < 256; c++) if (pred(c)) t[(code << 8) | c] = 1;
  };
  const isDigit = (c: number): boolean => c >= 48 && c <= 57;
  const isWord = (c: number): boolean =>
    isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 64 || c === 45;
  // \p: ! " # $ % & ' ( ) * + , - . : ; < = > ? [ ] { | }
  const isPunct = (c: number): boolean =>
    (c >= 33 && c <= 46) || (c >= 58 && c <= 63) || c === 91 || c === 93 || (c >= 123 && c <= 125);
  set(1, isDigit);
  set(2, isWord);
  set(3, (c) => c === 32);
  set(4, isPunct);
  set(5, (c) => c === 40);
  set(6, (c) => c === 41);
  set(7, (c) => c === 92);
  set(8, (c) => !isDigit(c));
  // The C \W row is the exact complement of \w (it excludes '@' and '-' too).
  set(9, (c) => !isWord(c));
  set(10, (c) => c !== 32);
  set(11, () => true);
  set(12, (c) => c === 9);
  set(13, (c) => c === 36);
  set(14, (c) => c === 124);
  set(15, (c) => c === 60);
  return t;
})();
