/**
 * The servers a node may connect to, from a connection URL that names one
 * host or several (`postgres://user@primary:5432,standby:5432/pourover?target_session_attrs=read-write`),
 * as libpq takes them: `pg` connects to one host only, so the node tries
 * them in turn itself. A node writes, so with several hosts it wants the
 * writable one (a primary), as `target_session_attrs=read-write` asks.
 */
export type PostgresTargets = {
  /** One single-host URL per host, in the order given. */
  urls: readonly string[];
  /** Whether a server must be checked to be writable before a connection to it is used. */
  readWrite: boolean;
};

const SHAPE = /^(postgres(?:ql)?):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/;
const SESSION_ATTRS = 'target_session_attrs';
/** What each `target_session_attrs` value libpq knows means here; the others would have the node write to a standby. */
const ATTRS: Record<string, boolean | undefined> = { any: false, 'read-write': true, primary: true };

/** The targets a `postgres://` URL names; throws, saying what is wrong, on one that is not such a URL. */
export function postgresTargets(url: string): PostgresTargets {
  const parts = SHAPE.exec(url);
  if (!parts) throw new Error('expected a postgres:// or postgresql:// URL');
  const [, scheme, userinfo, hostList = '', path = '', query = ''] = parts;
  const params = new URLSearchParams(query);
  const attrs = params.get(SESSION_ATTRS);
  params.delete(SESSION_ATTRS);
  const rest = params.size > 0 ? `?${params.toString()}` : '';
  const hosts = hostList.split(',');
  const urls = hosts.map((host) => {
    const single = `${scheme}://${userinfo === undefined ? '' : `${userinfo}@`}${host}${path}${rest}`;
    if (!URL.canParse(single) || (hosts.length > 1 && host === ''))
      throw new Error(`expected a postgres:// or postgresql:// URL; "${host}" is not a host`);
    return single;
  });
  const wanted = attrs === null ? hosts.length > 1 : ATTRS[attrs];
  if (wanted === undefined)
    throw new Error(`${SESSION_ATTRS}=${attrs} is not one a server node can use: it writes, so use read-write (or primary, or any)`);
  return { urls, readWrite: wanted };
}

/** The URL without its password, for logs. */
export function redactedPostgresUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/?#]*):[^@/?#]*@/, '$1:***@');
}

/**
 * Which target new connections try: the one that last took a connection,
 * or after a failure the next in the list, round and round, so that after a
 * failover every connection finds the new primary at once.
 */
export type TargetCursor = {
  readonly targets: PostgresTargets;
  current(): string;
  /** Moves on from `url`, unless another failure has already moved on from it. */
  failed(url: string): void;
};

export function targetCursor(targets: PostgresTargets): TargetCursor {
  let at = 0;
  return {
    targets,
    current: () => targets.urls[at] as string,
    failed(url) {
      if (targets.urls[at] === url) at = (at + 1) % targets.urls.length;
    },
  };
}
