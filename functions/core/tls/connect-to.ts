/**
 * curl's `--connect-to HOST:PORT:CONNECT-HOST:CONNECT-PORT`: a request for HOST:PORT connects to
 * CONNECT-HOST:CONNECT-PORT instead, while TLS (SNI and the hostname check) keeps the original
 * name. An empty HOST or PORT matches any; an empty CONNECT-HOST or CONNECT-PORT keeps the
 * original. IPv6 addresses go in brackets. The first matching rule wins.
 */
export interface ConnectTo {
  /** The spec as given, for messages. */
  spec: string;
  /** Lower-cased host to match; undefined matches any. */
  host?: string;
  port?: number;
  connectHost?: string;
  connectPort?: number;
}

export class ConnectToError extends Error {
  override readonly name = 'ConnectToError';
}

function readHost(spec: string, rest: string, what: string): { host: string; rest: string } {
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1)
      throw new ConnectToError(`--connect-to ${JSON.stringify(spec)}: ${what} has no closing ]`);
    return { host: rest.slice(1, close), rest: rest.slice(close + 1) };
  }
  const colon = rest.indexOf(':');
  return colon === -1 ? { host: rest, rest: '' } : { host: rest.slice(0, colon), rest: rest.slice(colon) };
}

function readPort(spec: string, text: string, what: string): number | undefined {
  if (text === '') return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new ConnectToError(
      `--connect-to ${JSON.stringify(spec)}: ${what} ${JSON.stringify(text)} is not a port (1-65535)`,
    );
  }
  return port;
}

function expectColon(spec: string, rest: string, after: string): string {
  if (!rest.startsWith(':')) {
    throw new ConnectToError(
      `--connect-to ${JSON.stringify(spec)}: expected ':' after ${after}; the form is HOST:PORT:CONNECT-HOST:CONNECT-PORT`,
    );
  }
  return rest.slice(1);
}

/** Parses one `HOST:PORT:CONNECT-HOST:CONNECT-PORT` spec; throws a ConnectToError naming the spec. */
export function parseConnectTo(spec: string): ConnectTo {
  const a = readHost(spec, spec.trim(), 'HOST');
  let rest = expectColon(spec, a.rest, 'HOST');
  const portEnd = rest.indexOf(':');
  if (portEnd === -1) {
    throw new ConnectToError(
      `--connect-to ${JSON.stringify(spec)}: expected HOST:PORT:CONNECT-HOST:CONNECT-PORT (four fields)`,
    );
  }
  const port = readPort(spec, rest.slice(0, portEnd), 'PORT');
  rest = rest.slice(portEnd + 1);
  const b = readHost(spec, rest, 'CONNECT-HOST');
  const connectRest = expectColon(spec, b.rest, 'CONNECT-HOST');
  if (connectRest.includes(':')) {
    throw new ConnectToError(
      `--connect-to ${JSON.stringify(spec)}: too many ':' (put IPv6 addresses in [brackets])`,
    );
  }
  const connectPort = readPort(spec, connectRest, 'CONNECT-PORT');
  const out: ConnectTo = { spec };
  if (a.host !== '') out.host = a.host.toLowerCase();
  if (port !== undefined) out.port = port;
  if (b.host !== '') out.connectHost = b.host;
  if (connectPort !== undefined) out.connectPort = connectPort;
  return out;
}

/** Where to connect for `host:port` under the rules (the first match wins); the original when none matches. */
export function resolveConnectTo(
  host: string,
  port: number,
  rules: readonly ConnectTo[] = [],
): { host: string; port: number; rule?: ConnectTo } {
  const wanted = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  for (const rule of rules) {
    if (rule.host !== undefined && rule.host !== wanted) continue;
    if (rule.port !== undefined && rule.port !== port) continue;
    return { host: rule.connectHost ?? host, port: rule.connectPort ?? port, rule };
  }
  return { host, port };
}

/** `host:port` for messages and rules: an IPv6 address goes in brackets (`[::1]:443`). */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
