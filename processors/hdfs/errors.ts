// WebHDFS failures: Hadoop's RemoteException JSON (or a network error), where it happened, and
// whether trying again can help.

/** Lease conflicts a writer can wait out (another client, or lease recovery, holds the file). */
export const LEASE_EXCEPTIONS = new Set(['AlreadyBeingCreatedException', 'RecoveryInProgressException', 'LeaseExpiredException']);

/** Exceptions HDFS itself marks as worth retrying. */
const TRANSIENT_EXCEPTIONS = new Set(['RetriableException', 'StandbyException', 'SafeModeException', 'ObserverRetryOnActiveException']);

export type WebHdfsStage = 'namenode' | 'datanode';

export class WebHdfsError extends Error {
  constructor(
    message: string,
    readonly stage: WebHdfsStage,
    readonly op: string,
    /** HTTP status, when there was an answer. */
    readonly status?: number,
    /** Hadoop exception simple name, e.g. FileAlreadyExistsException. */
    readonly exception?: string,
    /** Socket error code (ECONNRESET, ETIMEDOUT, ...) for network failures. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'WebHdfsError';
  }

  get isLeaseConflict(): boolean {
    return this.exception !== undefined && LEASE_EXCEPTIONS.has(this.exception);
  }

  get isStandby(): boolean {
    return this.exception === 'StandbyException';
  }

  /**
   * True when the same operation may succeed later: a lease held elsewhere, a DataNode that failed
   * or dropped the connection, a busy or standby NameNode, a timeout.
   */
  get retryable(): boolean {
    if (this.status === undefined) return true;
    if (this.exception !== undefined && (LEASE_EXCEPTIONS.has(this.exception) || TRANSIENT_EXCEPTIONS.has(this.exception))) return true;
    if (this.status >= 500) return true;
    // WebHDFS maps any other IOException to 403; on the DataNode that is a pipeline failure
    return this.stage === 'datanode' && this.exception === 'IOException';
  }
}

interface RemoteExceptionBody {
  RemoteException?: { exception?: string; javaClassName?: string; message?: string };
}

/** Builds the error for a non-success answer, reading Hadoop's RemoteException when present. */
export function errorFromResponse(stage: WebHdfsStage, op: string, path: string, status: number, body: Buffer): WebHdfsError {
  let exception: string | undefined;
  let message = body.toString('utf8').slice(0, 500).trim();
  try {
    const parsed = JSON.parse(body.toString('utf8')) as RemoteExceptionBody;
    const re = parsed.RemoteException;
    if (re) {
      exception = re.exception ?? re.javaClassName?.slice(re.javaClassName.lastIndexOf('.') + 1);
      message = (re.message ?? '').split('\n')[0];
    }
  } catch {
    // not JSON: keep the text
  }
  const what = exception ? `${exception}: ${message}` : message || `HTTP ${status}`;
  return new WebHdfsError(`${op} ${path} failed on the ${stage} (${status}): ${what}`, stage, op, status, exception);
}

export function networkError(stage: WebHdfsStage, op: string, path: string, e: unknown): WebHdfsError {
  if (e instanceof WebHdfsError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err?.code ?? 'ECONNRESET';
  return new WebHdfsError(`${op} ${path} failed on the ${stage}: ${err?.message ?? String(e)}${err?.code ? ` (${err.code})` : ''}`, stage, op, undefined, undefined, code);
}
