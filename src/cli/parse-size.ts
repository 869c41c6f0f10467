/** Byte sizes on the command line: "268435456", "256M", "256MiB", "1G". */
const UNITS: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** @param max largest size accepted (default 4 GiB). */
export function parseSize(text: string | number, max = 2 ** 32): number {
  if (typeof text === 'number' && Number.isSafeInteger(text) && text > 0 && text <= max) return text;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(String(text));
  if (!m) throw new Error(`size ${JSON.stringify(text)} is not a number of bytes (e.g. 268435456, 256M, 1G)`);
  const bytes = Math.round(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (bytes < 1 || bytes > max) throw new Error(`size ${JSON.stringify(text)} must be between 1 byte and ${max / 2 ** 30} GiB`);
  return bytes;
}
