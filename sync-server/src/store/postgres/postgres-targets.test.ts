import { describe, expect, it } from 'vitest';
import { postgresUrl } from '../open-store.ts';
import { postgresTargets, redactedPostgresUrl, targetCursor } from './postgres-targets.ts';

describe('the PostgreSQL hosts a node connects to', () => {
  it('takes a one-host URL as it is, and checks nothing of the server unless asked', () => {
    expect(postgresTargets('postgres://u:p@db.example:5433/pourover?sslmode=require')).toEqual({
      urls: ['postgres://u:p@db.example:5433/pourover?sslmode=require'],
      readWrite: false,
    });
    expect(postgresTargets('postgresql://u@db/pourover?target_session_attrs=read-write')).toEqual({
      urls: ['postgresql://u@db/pourover'],
      readWrite: true,
    });
  });

  it('splits a primary and its standbys into one URL each, in order, and wants the writable one', () => {
    expect(
      postgresTargets('postgres://u:p@10.0.0.1:5432,10.0.0.2,[::1]:6543/pourover?target_session_attrs=read-write&connect_timeout=3'),
    ).toEqual({
      urls: [
        'postgres://u:p@10.0.0.1:5432/pourover?connect_timeout=3',
        'postgres://u:p@10.0.0.2/pourover?connect_timeout=3',
        'postgres://u:p@[::1]:6543/pourover?connect_timeout=3',
      ],
      readWrite: true,
    });
    expect(postgresTargets('postgres://u@a:1,b:2/pourover').readWrite).toBe(true);
    expect(postgresTargets('postgres://u@a:1,b:2/pourover?target_session_attrs=any').readWrite).toBe(false);
  });

  it('refuses what is no PostgreSQL URL, an empty host in a list, and session attributes a writing node cannot use', () => {
    expect(() => postgresTargets('mysql://localhost/pourover')).toThrow(/postgres:\/\//);
    expect(() => postgresTargets('postgres://u@a:1,,b:2/pourover')).toThrow(/not a host/);
    expect(() => postgresTargets('postgres://u@a:1,b:2/pourover?target_session_attrs=read-only')).toThrow(/read-write/);
    expect(postgresUrl.safeParse('postgres://u@a:1,b:2/pourover?target_session_attrs=standby').success).toBe(false);
    expect(postgresUrl.safeParse(' postgres://u@a:1,b:2/pourover ').data).toBe('postgres://u@a:1,b:2/pourover');
  });

  it('shows no password in logs', () => {
    expect(redactedPostgresUrl('postgres://pourover:s3cret@a:1,b:2/pourover')).toBe('postgres://pourover:***@a:1,b:2/pourover');
    expect(redactedPostgresUrl('postgres://pourover@a/pourover')).toBe('postgres://pourover@a/pourover');
  });

  it('stays on the host that works, and after a failure moves to the next, once for any number of failures seen of one host', () => {
    const cursor = targetCursor(postgresTargets('postgres://u@a:1,b:2,c:3/pourover'));
    const [a, b, c] = cursor.targets.urls;
    expect(cursor.current()).toBe(a);
    cursor.failed(a as string);
    cursor.failed(a as string);
    expect(cursor.current()).toBe(b);
    cursor.failed(b as string);
    cursor.failed(c as string);
    expect(cursor.current()).toBe(a);
  });
});
