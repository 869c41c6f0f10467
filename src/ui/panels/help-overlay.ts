/** The help overlay (key ?): the keymap's help text in a centred box. */
import { fitText, type Painter } from '../cell-painter.js';
import { helpText } from '../keymap.js';
import type { Rect } from '../layout-math.js';
import type { Theme } from './theme.js';

let cached: string[] | undefined;

/** Lines of the key help, built once from the keymap (src/ui/keymap.ts). */
export function helpLines(): string[] {
  cached ??= helpText();
  return cached;
}

/** Paint the overlay centred in a cols x rows screen. */
export function paintHelp(p: Painter, cols: number, rows: number, theme: Theme): void {
  const lines = helpLines();
  const width = Math.min(cols, Math.max(...lines.map((l) => l.length)) + 4);
  const height = Math.min(rows, lines.length + 2);
  const r: Rect = { left: Math.floor((cols - width) / 2), top: Math.floor((rows - height) / 2), width, height };
  p.fill(r, ' ', theme.text);
  const inner = p.frame(r, 'keys', theme.bold, theme.title, theme.ascii);
  lines.slice(0, inner.height).forEach((l, k) => p.text(inner.left + 1, inner.top + k, fitText(l, inner.width - 1), theme.text, inner.width - 1));
}
