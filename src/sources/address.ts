/** Listen-address checks: which transports we speak and which addresses are private to this host. */

export interface ListenAddress {
  readonly url: string;
  readonly transport: 'tcp' | 'ipc';
  /** True for ipc:// and loopback tcp://; anything else is reachable from the network. */
  readonly loopback: boolean;
}

export const DEFAULT_LISTEN = 'tcp://127.0.0.1:5555';

/** Parses and checks a --listen address; throws a message that names the problem. */
export function parseListenAddress(url: string): ListenAddress {
  const ipc = /^ipc:\/\/(.+)$/.exec(url);
  if (ipc) return { url, transport: 'ipc', loopback: true };
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})$/.exec(url);
  if (!tcp) throw new Error(`listen address ${JSON.stringify(url)} is not tcp://HOST:PORT or ipc:///PATH`);
  const port = Number(tcp[2]);
  if (port < 1 || port > 65535) throw new Error(`listen address ${JSON.stringify(url)}: port ${port} is outside 1-65535`);
  const host = tcp[1]!.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  return { url, transport: 'tcp', loopback };
}
