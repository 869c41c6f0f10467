/** CSV text (RFC 4180): comma-separated, CRLF-free (\n lines), fields quoted when they need it. */

/** One field: numbers in shortest round-trip form, non-finite and missing values empty. */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return /[",\n\r]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One line, with its newline. */
export function csvLine(fields: readonly (string | number | boolean | null | undefined)[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

/**
 * A float32 value in the fewest digits that read back as the same float32: 9 significant digits
 * always do, and a float32 printed as a float64 would show noise digits (0.1 -> 0.100000001490116).
 */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return '';
  for (let p = 6; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}
