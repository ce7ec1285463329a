// Injectable faults for the WebHDFS test server. In-process via `faults.configure(...)` or the helpers below,
// or over HTTP on the NameNode port: POST /_test/faults with the same JSON; DELETE /_test/faults clears.
// Each fault named in a patch is replaced as a whole (fields left out take their defaults); others stay.
//
//   appendLeaseError      N | {count, exception?, stage?}
//       the next N APPENDs fail with a lease RemoteException (403): exception "AlreadyBeingCreatedException"
//       (default) or "RecoveryInProgressException"; stage "datanode" (default — where real HDFS reports it,
//       after the redirect) or "namenode" (on the first step).
//   datanodeWriteFailure  N | {count, mode?, status?}
//       the next N DataNode writes (CREATE/APPEND bodies) fail: mode "error" (default) answers `status`
//       (default 500) with an IOException RemoteException; mode "drop" destroys the connection after the
//       first body bytes. CREATE leaves an empty file behind (as HDFS does once the create reached the
//       NameNode); APPEND leaves the file unchanged.
//   renameFalse           N | {count}     the next N RENAMEs answer {"boolean": false} and change nothing
//   latencyMs             ms              delay before every NameNode and DataNode answer

export type LeaseException = 'AlreadyBeingCreatedException' | 'RecoveryInProgressException';

export interface WebHdfsFaultSettings {
  appendLeaseError: { count: number; exception: LeaseException; stage: 'namenode' | 'datanode' };
  datanodeWriteFailure: { count: number; mode: 'error' | 'drop'; status: number };
  renameFalse: { count: number };
  latencyMs: number;
}

export type WebHdfsFaultPatch = {
  appendLeaseError?: number | Partial<WebHdfsFaultSettings['appendLeaseError']>;
  datanodeWriteFailure?: number | Partial<WebHdfsFaultSettings['datanodeWriteFailure']>;
  renameFalse?: number | Partial<WebHdfsFaultSettings['renameFalse']>;
  latencyMs?: number;
  reset?: boolean;
};

const defaults = (): WebHdfsFaultSettings => ({
  appendLeaseError: { count: 0, exception: 'AlreadyBeingCreatedException', stage: 'datanode' },
  datanodeWriteFailure: { count: 0, mode: 'error', status: 500 },
  renameFalse: { count: 0 },
  latencyMs: 0,
});

function count(v: unknown, key: string): number {
  if (!Number.isInteger(v) || (v as number) < 0) throw new Error(`${key}.count must be a non-negative integer`);
  return v as number;
}

export class WebHdfsFaults {
  private s = defaults();
  readonly triggered = { appendLeaseErrors: 0, datanodeWriteFailures: 0, renameFalse: 0 };

  configure(patch: WebHdfsFaultPatch): WebHdfsFaultSettings {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new Error('faults body must be a JSON object');
    const known = ['appendLeaseError', 'datanodeWriteFailure', 'renameFalse', 'latencyMs', 'reset'];
    for (const k of Object.keys(patch)) if (!known.includes(k)) throw new Error(`unknown fault [${k}]; known: ${known.join(', ')}`);
    // a fault named in the patch is replaced wholesale: unspecified fields take their defaults
    const fresh = defaults();
    const next = patch.reset ? defaults() : structuredClone(this.s);
    if (patch.appendLeaseError !== undefined) next.appendLeaseError = fresh.appendLeaseError;
    if (patch.datanodeWriteFailure !== undefined) next.datanodeWriteFailure = fresh.datanodeWriteFailure;
    if (patch.renameFalse !== undefined) next.renameFalse = fresh.renameFalse;
    const obj = <T>(v: number | Partial<T> | undefined): Partial<T> | undefined =>
      v === undefined ? undefined : typeof v === 'number' ? ({ count: v } as unknown as Partial<T>) : v;

    const lease = obj<WebHdfsFaultSettings['appendLeaseError']>(patch.appendLeaseError);
    if (lease) {
      if (lease.count !== undefined) next.appendLeaseError.count = count(lease.count, 'appendLeaseError');
      if (lease.exception !== undefined) {
        if (lease.exception !== 'AlreadyBeingCreatedException' && lease.exception !== 'RecoveryInProgressException')
          throw new Error('appendLeaseError.exception must be AlreadyBeingCreatedException or RecoveryInProgressException');
        next.appendLeaseError.exception = lease.exception;
      }
      if (lease.stage !== undefined) {
        if (lease.stage !== 'namenode' && lease.stage !== 'datanode') throw new Error('appendLeaseError.stage must be namenode or datanode');
        next.appendLeaseError.stage = lease.stage;
      }
    }
    const dn = obj<WebHdfsFaultSettings['datanodeWriteFailure']>(patch.datanodeWriteFailure);
    if (dn) {
      if (dn.count !== undefined) next.datanodeWriteFailure.count = count(dn.count, 'datanodeWriteFailure');
      if (dn.mode !== undefined) {
        if (dn.mode !== 'error' && dn.mode !== 'drop') throw new Error('datanodeWriteFailure.mode must be error or drop');
        next.datanodeWriteFailure.mode = dn.mode;
      }
      if (dn.status !== undefined) {
        if (!Number.isInteger(dn.status) || dn.status < 400 || dn.status > 599) throw new Error('datanodeWriteFailure.status must be 400..599');
        next.datanodeWriteFailure.status = dn.status;
      }
    }
    const rn = obj<WebHdfsFaultSettings['renameFalse']>(patch.renameFalse);
    if (rn?.count !== undefined) next.renameFalse.count = count(rn.count, 'renameFalse');
    if (patch.latencyMs !== undefined) {
      if (typeof patch.latencyMs !== 'number' || patch.latencyMs < 0) throw new Error('latencyMs must be a non-negative number');
      next.latencyMs = patch.latencyMs;
    }
    this.s = next;
    return this.snapshot();
  }

  // convenience setters
  appendLeaseError(n: number, exception: LeaseException = 'AlreadyBeingCreatedException', stage: 'namenode' | 'datanode' = 'datanode'): void {
    this.configure({ appendLeaseError: { count: n, exception, stage } });
  }
  datanodeWriteFailure(n: number, mode: 'error' | 'drop' = 'error', status = 500): void {
    this.configure({ datanodeWriteFailure: { count: n, mode, status } });
  }
  renameFalse(n: number): void {
    this.configure({ renameFalse: { count: n } });
  }

  reset(): void {
    this.s = defaults();
  }
  resetCounters(): void {
    this.triggered.appendLeaseErrors = this.triggered.datanodeWriteFailures = this.triggered.renameFalse = 0;
  }
  snapshot(): WebHdfsFaultSettings {
    return structuredClone(this.s);
  }
  get latencyMs(): number {
    return this.s.latencyMs;
  }

  /** Consume one lease error if one is pending for this stage. */
  takeAppendLeaseError(stage: 'namenode' | 'datanode'): LeaseException | null {
    const f = this.s.appendLeaseError;
    if (f.count <= 0 || f.stage !== stage) return null;
    f.count--;
    this.triggered.appendLeaseErrors++;
    return f.exception;
  }

  takeDatanodeWriteFailure(): { mode: 'error' | 'drop'; status: number } | null {
    const f = this.s.datanodeWriteFailure;
    if (f.count <= 0) return null;
    f.count--;
    this.triggered.datanodeWriteFailures++;
    return { mode: f.mode, status: f.status };
  }

  takeRenameFalse(): boolean {
    if (this.s.renameFalse.count <= 0) return false;
    this.s.renameFalse.count--;
    this.triggered.renameFalse++;
    return true;
  }
}
