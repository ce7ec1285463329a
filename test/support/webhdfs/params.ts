// WebHDFS URL parsing: the /webhdfs/v1 path, the op (valid per HTTP method, case-insensitive), and typed
// query parameters with Hadoop's validation messages
//   Invalid value for webhdfs parameter "overwrite": Failed to parse "x" to Boolean.
import { hdfsErrors } from './errors.ts';
import { DEFAULT_USER } from './permissions.ts';

export const WEBHDFS_PREFIX = '/webhdfs/v1';

// The ops each HTTP method's OpParam enum knows (Hadoop 3.x); anything else is "No enum constant".
const OPS: Record<string, { cls: string; ops: string[] }> = {
  GET: {
    cls: 'GetOpParam',
    ops: 'OPEN GETFILESTATUS LISTSTATUS GETCONTENTSUMMARY GETQUOTAUSAGE GETFILECHECKSUM GETHOMEDIRECTORY GETDELEGATIONTOKEN GETTRASHROOT GETXATTRS LISTXATTRS GETACLSTATUS CHECKACCESS LISTSTATUS_BATCH GETALLSTORAGEPOLICY GETSTORAGEPOLICY GETSNAPSHOTDIFF GETSNAPSHOTTABLEDIRECTORYLIST GETSNAPSHOTLIST GETFILEBLOCKLOCATIONS GETECPOLICY GETSERVERDEFAULTS GET_BLOCK_LOCATIONS GETSTATUS NULL'.split(' '),
  },
  PUT: {
    cls: 'PutOpParam',
    ops: 'CREATE MKDIRS CREATESYMLINK RENAME SETREPLICATION SETOWNER SETPERMISSION SETTIMES RENEWDELEGATIONTOKEN CANCELDELEGATIONTOKEN MODIFYACLENTRIES REMOVEACLENTRIES REMOVEDEFAULTACL REMOVEACL SETACL SETXATTR REMOVEXATTR ENABLEECPOLICY DISABLEECPOLICY SETECPOLICY ALLOWSNAPSHOT DISALLOWSNAPSHOT CREATESNAPSHOT RENAMESNAPSHOT SETSTORAGEPOLICY SATISFYSTORAGEPOLICY SETQUOTA SETQUOTABYSTORAGETYPE NULL'.split(' '),
  },
  POST: { cls: 'PostOpParam', ops: 'APPEND CONCAT TRUNCATE UNSETSTORAGEPOLICY UNSETECPOLICY NULL'.split(' ') },
  DELETE: { cls: 'DeleteOpParam', ops: 'DELETE DELETESNAPSHOT NULL'.split(' ') },
};

/** Query parameters with lower-cased names (WebHDFS matches names case-insensitively). */
export class HdfsParams {
  private readonly map = new Map<string, string>();
  readonly raw: URLSearchParams;

  constructor(search: URLSearchParams) {
    this.raw = search;
    for (const [k, v] of search) if (!this.map.has(k.toLowerCase())) this.map.set(k.toLowerCase(), v);
  }

  get(name: string): string | undefined {
    const v = this.map.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  get user(): string {
    return this.get('user.name') ?? this.get('doas') ?? DEFAULT_USER;
  }

  /** The op for this method, upper-cased; unknown names are Hadoop's enum-parse IllegalArgumentException. */
  op(method: string): string {
    const spec = OPS[method];
    const op = (this.get('op') ?? 'NULL').toUpperCase();
    if (!spec) throw hdfsErrors.unsupportedOperation(`HTTP method ${method} is not supported`);
    if (!spec.ops.includes(op))
      throw hdfsErrors.badParam('op', `No enum constant org.apache.hadoop.hdfs.web.resources.${spec.cls}.Op.${op}`);
    return op;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.get(name);
    if (v === undefined) return fallback;
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
    throw hdfsErrors.badParam(name, `Failed to parse "${v}" to Boolean.`);
  }

  long(name: string, min?: number): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(v)) throw hdfsErrors.badParam(name, `Failed to parse "${v}" as a radix-10 long integer.`);
    const n = Number(v);
    if (min !== undefined && n < min) throw hdfsErrors.badParam(name, `Invalid parameter range: ${name} = ${n} < ${min}`);
    return n;
  }

  short(name: string, min?: number): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!/^[+-]?\d+$/.test(v) || Math.abs(Number(v)) > 32767)
      throw hdfsErrors.badParam(name, `Failed to parse "${v}" as a radix-10 short integer.`);
    const n = Number(v);
    if (min !== undefined && n < min) throw hdfsErrors.badParam(name, `Invalid parameter range: ${name} = ${n} < ${min}`);
    return n;
  }

  /** Octal permission, 0..1777. */
  permission(name = 'permission'): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!/^[0-7]{1,5}$/.test(v) || parseInt(v, 8) > 0o7777)
      throw hdfsErrors.badParam(name, `Failed to parse "${v}" as a radix-8 short integer.`);
    const n = parseInt(v, 8);
    if (n > 0o1777) throw hdfsErrors.badParam(name, `Invalid parameter range: ${name} = ${n.toString(8)} > 1777`);
    return n;
  }
}

/**
 * The HDFS path of a request URL path ("/webhdfs/v1/a/b" → "/a/b"), or null when outside /webhdfs/v1.
 * Invalid names ("..", ".", ":") are rejected as HDFS does.
 */
export function hdfsPath(urlPath: string): string | null {
  if (urlPath !== WEBHDFS_PREFIX && !urlPath.startsWith(WEBHDFS_PREFIX + '/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.slice(WEBHDFS_PREFIX.length));
  } catch {
    throw hdfsErrors.illegalArgument(`Invalid path: ${urlPath}`);
  }
  const parts = decoded.split('/').filter(Boolean);
  const path = '/' + parts.join('/');
  for (const p of parts)
    if (p === '.' || p === '..' || p.includes(':')) throw hdfsErrors.invalidPath(`Invalid path name Invalid file name: ${path}`);
  return path;
}
