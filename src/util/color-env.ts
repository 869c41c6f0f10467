/**
 * Colour choices from the environment, shared by the dashboard and headless text:
 * FORCE_COLOR (as Node and chalk read it) and NO_COLOR (https://no-color.org).
 */

/**
 * FORCE_COLOR's level: 0 (off: "0", "false"), 1 (16 colours: "", "1", "true"), 2 or 3 (256 and
 * more); undefined when unset. Other values count as 1, as chalk counts them.
 */
export function forcedColorLevel(env: Readonly<Record<string, string | undefined>>): 0 | 1 | 2 | 3 | undefined {
  const v = env.FORCE_COLOR;
  if (v === undefined) return undefined;
  const t = v.trim().toLowerCase();
  if (t === '0' || t === 'false') return 0;
  if (t === '2' || t === '3') return Number(t) as 2 | 3;
  return 1;
}

/** NO_COLOR present and not empty. */
export function noColor(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

/**
 * Whether plain text output gets colour: --no-color/--monochrome (`allowed` false) never; then
 * FORCE_COLOR decides when set (it wins over NO_COLOR, as in Node); then NO_COLOR; then a terminal.
 */
export function textColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean, allowed = true): boolean {
  if (!allowed) return false;
  const forced = forcedColorLevel(env);
  if (forced !== undefined) return forced > 0;
  return !noColor(env) && isTTY;
}
