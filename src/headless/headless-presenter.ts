import { headlessWriter, type HeadlessOptions } from './headless-writer.js';
import type { Presenter } from '../session/monitor-session.js';

/**
 * The headless presenter: lines on stdout. When the reader goes away (`| head`, a closed pipe) the
 * session stops quietly instead of dying of EPIPE.
 */
export function headlessPresenter(choice: Omit<HeadlessOptions, 'out'>, onClosed: () => void): Presenter {
  let open = true;
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') throw err;
    open = false;
    onClosed();
  };
  process.stdout.on('error', onError);
  const write = headlessWriter({ out: process.stdout, ...choice });
  return {
    sink: (e) => {
      if (open) write(e);
    },
    close: () => {
      process.stdout.off('error', onError);
    },
  };
}
