// State shared by the NameNode and DataNode handlers of one test server.
import { hdfsErrors } from './errors.ts';
import type { LeaseException, WebHdfsFaults } from './faults.ts';
import type { Namespace } from './namespace.ts';
import type { WebHdfsStats } from './stats.ts';

export interface WebHdfsContext {
  ns: Namespace;
  faults: WebHdfsFaults;
  stats: WebHdfsStats;
  /** http://<datanode-host>:<port>, the target of NameNode redirects */
  datanodeBase: string;
  /** host:port handed to the DataNode as namenoderpcaddress and used in its Location answers */
  namenodeAddress: string;
  nextClientId: number;
}

export function clientName(ctx: WebHdfsContext): string {
  return `DFSClient_NONMAPREDUCE_${1000 + ctx.nextClientId++}_1`;
}

const LEASE_TRACE =
  '\n\tat org.apache.hadoop.hdfs.server.namenode.FSNamesystem.recoverLeaseInternal(FSNamesystem.java:2443)' +
  '\n\tat org.apache.hadoop.hdfs.server.namenode.FSDirAppendOp.appendFile(FSDirAppendOp.java:117)' +
  '\n\tat org.apache.hadoop.hdfs.server.namenode.FSNamesystem.appendFile(FSNamesystem.java:2498)';

/** The RemoteException an injected lease fault answers with (same text as a real NameNode's). */
export function injectedLeaseError(ctx: WebHdfsContext, which: LeaseException, path: string, client: string) {
  const machine = ctx.ns.opts.clientMachine;
  if (which === 'RecoveryInProgressException')
    return hdfsErrors.recoveryInProgress(
      `Failed to APPEND_FILE ${path} for ${client} on ${machine} because lease recovery is in progress. Try again later.${LEASE_TRACE}`,
    );
  return hdfsErrors.alreadyBeingCreated(
    `Failed to APPEND_FILE ${path} for ${client} on ${machine} because this file lease is currently owned by DFSClient_NONMAPREDUCE_999_1 on ${machine}${LEASE_TRACE}`,
  );
}
