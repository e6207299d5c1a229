import { describe, expect, it } from 'vitest';
import {
  ConnectToError,
  hostPort,
  parseConnectTo,
  resolveConnectTo,
} from '../../../functions/core/tls/connect-to.ts';

describe('parseConnectTo (curl --connect-to HOST:PORT:CONNECT-HOST:CONNECT-PORT)', () => {
  it('reads all four fields', () => {
    expect(parseConnectTo('api.internal.k8s.example.com:443:127.0.0.1:8443')).toEqual({
      spec: 'api.internal.k8s.example.com:443:127.0.0.1:8443',
      host: 'api.internal.k8s.example.com',
      port: 443,
      connectHost: '127.0.0.1',
      connectPort: 8443,
    });
  });

  it('treats empty fields as any (match) or unchanged (target)', () => {
    expect(parseConnectTo('::127.0.0.1:')).toEqual({ spec: '::127.0.0.1:', connectHost: '127.0.0.1' });
    expect(parseConnectTo('10.0.1.5:443::9443')).toEqual({
      spec: '10.0.1.5:443::9443',
      host: '10.0.1.5',
      port: 443,
      connectPort: 9443,
    });
  });

  it('accepts IPv6 addresses in brackets', () => {
    expect(parseConnectTo('[fd00::5]:443:[::1]:8443')).toMatchObject({
      host: 'fd00::5',
      connectHost: '::1',
      connectPort: 8443,
    });
  });

  it.each([
    ['api:443', /four fields/],
    ['api:443:127.0.0.1', /expected ':' after CONNECT-HOST/],
    ['api:https:127.0.0.1:8443', /PORT "https" is not a port/],
    ['api:443:127.0.0.1:70000', /CONNECT-PORT "70000" is not a port/],
    ['fd00::5:443:127.0.0.1:1', /not a port|too many/],
    ['[fd00::5:443:127.0.0.1:1', /no closing \]/],
  ])('rejects %s with an error naming the spec', (spec, message) => {
    expect(() => parseConnectTo(spec)).toThrow(ConnectToError);
    expect(() => parseConnectTo(spec)).toThrow(message);
    expect(() => parseConnectTo(spec)).toThrow(JSON.stringify(spec));
  });
});

describe('resolveConnectTo', () => {
  const rules = [
    parseConnectTo('API.internal.k8s.example.com:443:127.0.0.1:8443'),
    parseConnectTo(':443:127.0.0.2:'),
    parseConnectTo('::127.0.0.3:9000'),
  ];

  it('takes the first rule that matches host (case-insensitive) and port', () => {
    expect(resolveConnectTo('api.internal.k8s.example.com', 443, rules)).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
    });
    expect(resolveConnectTo('10.0.1.5', 443, rules)).toMatchObject({ host: '127.0.0.2', port: 443 });
    expect(resolveConnectTo('10.0.1.5', 6443, rules)).toMatchObject({ host: '127.0.0.3', port: 9000 });
  });

  it('leaves the endpoint alone when nothing matches', () => {
    expect(resolveConnectTo('10.0.1.5', 443, [rules[0] ?? parseConnectTo('a:1:b:2')])).toEqual({
      host: '10.0.1.5',
      port: 443,
    });
    expect(resolveConnectTo('10.0.1.5', 443)).toEqual({ host: '10.0.1.5', port: 443 });
  });
});

describe('hostPort', () => {
  it('brackets an IPv6 address, and only that', () => {
    expect(hostPort('fd00::5', 443)).toBe('[fd00::5]:443');
    expect(hostPort('[::1]', 8443)).toBe('[::1]:8443');
    expect(hostPort('10.0.1.5', 443)).toBe('10.0.1.5:443');
    expect(hostPort('api.internal.k8s.example.com', 443)).toBe('api.internal.k8s.example.com:443');
  });
});
