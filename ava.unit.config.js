// `npm run test:unit`: the suite without the files that need system packages (tmux, Python, Prometheus,
// curl, jq: they call requireSystem, test/helpers/system.ts) and without the npm pack test.
import { readdirSync, readFileSync } from 'node:fs';

const base = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).ava;
const needsSystem = readdirSync(new URL('./test', import.meta.url), { recursive: true })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${f}`)
  .filter((f) => readFileSync(new URL(f, import.meta.url), 'utf8').includes('requireSystem('));

export default { ...base, files: [...base.files, ...needsSystem.map((f) => `!${f}`)] };
