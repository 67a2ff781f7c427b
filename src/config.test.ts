import { describe, expect, test } from 'vitest';
import { ConfigError, readSettings } from './config.ts';

describe('configuration', () => {
  test('defaults: port 8080 on 127.0.0.1, SQLite in ./data', () => {
    const settings = readSettings({}, {});
    expect(settings).toMatchObject({ port: 8080, host: '127.0.0.1', publicUrl: 'http://127.0.0.1:8080' });
    expect(settings.db.endsWith('data/lintas.sqlite')).toBe(true);
  });

  test(
    'till charges: the unknown timeout defaults to 60 s and the authorization deadline to 10 s; both can ' + 'be set',
    () => {
      expect(readSettings({}, {})).toMatchObject({ posUnknownTimeoutSeconds: 60, posAuthorizationDeadlineMs: 10_000 });
      const set = readSettings(
        {},
        { LINTAS_POS_UNKNOWN_TIMEOUT_SECONDS: '300', LINTAS_POS_AUTHORIZATION_DEADLINE_MS: '2500' },
      );
      expect(set).toMatchObject({ posUnknownTimeoutSeconds: 300, posAuthorizationDeadlineMs: 2_500 });
    },
  );

  test('dispute raise windows: the documented defaults, overridden per reason by LINTAS_DISPUTE_WINDOW_DAYS', () => {
    expect(readSettings({}, {}).disputeRaiseWindowDays).toMatchObject({ not_received: 120, duplicate: 60, other: 30 });
    const set = readSettings({}, { LINTAS_DISPUTE_WINDOW_DAYS: 'other=45, duplicate=30' }).disputeRaiseWindowDays;
    expect(set).toMatchObject({ other: 45, duplicate: 30, not_received: 120 });
    for (const bad of ['other', 'bought_it=10', 'other=0', 'other=541', 'other=4.5'])
      expect(() => readSettings({}, { LINTAS_DISPUTE_WINDOW_DAYS: bad }), bad).toThrow(/LINTAS_DISPUTE_WINDOW_DAYS/);
  });

  test('rate limits: 600,000 a minute per caller and 60,000 per address unless set', () => {
    expect(readSettings({}, {}).rateLimit).toEqual({ perCallerPerMinute: 600_000, anonymousPerMinute: 60_000 });
    const set = readSettings({}, { LINTAS_RATE_LIMIT_PER_MINUTE: '100', LINTAS_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '10' });
    expect(set.rateLimit).toEqual({ perCallerPerMinute: 100, anonymousPerMinute: 10 });
  });

  test('flags win over the environment', () => {
    expect(readSettings({ port: '9000' }, { LINTAS_PORT: '7000' }).port).toBe(9000);
    expect(readSettings({}, { LINTAS_PORT: '7000' }).port).toBe(7000);
    expect(readSettings({ db: 'postgres://u@h/db' }, { LINTAS_DB: '/tmp/x.sqlite' }).db).toBe('postgres://u@h/db');
  });

  test.each([
    [{ port: 'eighty' }, {}, 'port "eighty"'],
    [{ port: '70000' }, {}, 'port "70000"'],
    [{}, { LINTAS_PUBLIC_URL: 'ftp://x' }, 'public URL'],
    [{}, { LINTAS_OPERATOR_TOKEN: 'short' }, 'LINTAS_OPERATOR_TOKEN'],
    [{}, { LINTAS_MASTER_KEY: 'not-a-key' }, 'LINTAS_MASTER_KEY'],
    [{}, { LINTAS_ALLOW_PRIVATE_URLS: 'yes' }, 'LINTAS_ALLOW_PRIVATE_URLS'],
    [{}, { LINTAS_POS_UNKNOWN_TIMEOUT_SECONDS: '0' }, 'LINTAS_POS_UNKNOWN_TIMEOUT_SECONDS'],
    [{}, { LINTAS_POS_UNKNOWN_TIMEOUT_SECONDS: '1.5' }, 'LINTAS_POS_UNKNOWN_TIMEOUT_SECONDS'],
    [{}, { LINTAS_POS_AUTHORIZATION_DEADLINE_MS: '99' }, 'LINTAS_POS_AUTHORIZATION_DEADLINE_MS'],
    [{}, { LINTAS_POS_AUTHORIZATION_DEADLINE_MS: '30001' }, 'LINTAS_POS_AUTHORIZATION_DEADLINE_MS'],
    [{}, { LINTAS_RATE_LIMIT_PER_MINUTE: '0' }, 'LINTAS_RATE_LIMIT_PER_MINUTE'],
    [{}, { LINTAS_RATE_LIMIT_ANONYMOUS_PER_MINUTE: 'many' }, 'LINTAS_RATE_LIMIT_ANONYMOUS_PER_MINUTE'],
    [{ db: 'postgres://[bad' }, {}, 'database URL'],
  ])('refuses %j %j with a message naming %s', (flags, env, message) => {
    expect(() => readSettings(flags, env)).toThrow(ConfigError);
    expect(() => readSettings(flags, env)).toThrow(message);
  });

  test('every bad value is reported at once', () => {
    try {
      readSettings({ port: 'x' }, { LINTAS_MASTER_KEY: 'y', LINTAS_ALLOW_PRIVATE_URLS: '2' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(3);
    }
  });
});
