// PutHDFS (NiFi names): writes FlowFile content to HDFS through WebHDFS (HDFSConnectionService).
import type { FlowFile } from '../../server/engine/flowfile.ts';
import type { ProcessSession } from '../../server/engine/session.ts';
import type { ProcessContext } from '../../server/sdk/context.ts';
import { defineProcessor, type ValidationProblem } from '../../server/sdk/definition.ts';
import { Validators, type Validator } from '../../server/sdk/validators.ts';
import { parseDataSize } from '../../server/engine/units.ts';
import { HDFS_CONNECTION_SERVICE } from './connection-service.ts';
import { codecFor, COMPRESSION_CODECS, type Codec } from './compression.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
import type { WebHdfsClient } from './webhdfs-client.ts';
import { DirectoryCache, putFile, type ConflictResolution, type WritingStrategy } from './writer.ts';

const umaskValidator: Validator = {
  description: 'octal umask such as 022',
  schema: { type: 'string', pattern: '^[0-7]{3,4}$' },
  validate: (v) => (/^[0-7]{3,4}$/.test(v.trim()) && parseInt(v, 8) <= 0o777 ? null : `must be an octal umask such as 022, got ${JSON.stringify(v)}`),
};

interface State {
  dirs: DirectoryCache;
  conflict: ConflictResolution;
  strategy: WritingStrategy;
  codec: Codec;
  umask: number | undefined;
  replication: number | undefined;
  blockSize: number | undefined;
  bufferSize: number | undefined;
  retry: RetryPolicy;
}

const BATCH = 10;

function validate(v: (n: string) => string | undefined): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const bs = parseDataSize(v('Block Size') ?? '');
  // HDFS refuses blocks under dfs.namenode.fs-limits.min-block-size (1 MB by default)
  if (bs !== undefined && bs < 1024 * 1024) problems.push({ property: 'Block Size', message: 'must be at least 1 MB (HDFS\'s minimum block size)' });
  return problems;
}

export const PutHDFS = defineProcessor<State>({
  type: 'PutHDFS',
  description: 'Write FlowFile data to Hadoop Distributed File System (HDFS), through the WebHDFS REST API of an HDFSConnectionService. ' +
    'By default the data goes to a hidden ".<filename>" and is renamed into place, so readers never see a partial file.',
  tags: ['hadoop', 'HCFS', 'HDFS', 'put', 'copy', 'filesystem', 'webhdfs'],
  inputRequirement: 'required',
  properties: [
    { name: 'HDFS Connection Service', required: true, controllerServiceType: HDFS_CONNECTION_SERVICE, description: 'The HDFSConnectionService (WebHDFS NameNode URLs and user) to write through. Sluice\'s counterpart of NiFi\'s Hadoop Configuration Resources.' },
    { name: 'Directory', required: true, expressionLanguage: 'flowfile', validator: Validators.nonEmpty, description: 'The parent HDFS directory to which files should be written. The directory will be created if it doesn\'t exist. A relative path is taken under the user\'s home (/user/<name>).' },
    {
      name: 'Conflict Resolution Strategy', required: true, defaultValue: 'fail',
      description: 'Indicates what should happen when a file with the same name already exists in the output directory',
      allowableValues: [
        { value: 'replace', description: 'Replaces the existing file if any.' },
        { value: 'ignore', description: 'Ignores the flow file and routes it to success.' },
        { value: 'fail', description: 'Penalizes the flow file and routes it to failure.' },
        { value: 'append', description: 'Appends to the existing file if any, creates a new file otherwise.' },
      ],
    },
    {
      name: 'Writing Strategy', required: true, defaultValue: 'writeAndRename', aliases: ['writing-strategy'],
      description: 'Defines the approach for writing the FlowFile data.',
      allowableValues: [
        { value: 'writeAndRename', displayName: 'Write and rename', description: 'The processor writes FlowFile data into a temporary file and renames it after completion. This prevents other processes from reading partially written files.' },
        { value: 'simpleWrite', displayName: 'Simple write', description: 'The processor writes FlowFile data directly to the destination file. In some cases this might cause reading partially written files.' },
      ],
    },
    { name: 'Block Size', validator: Validators.dataSize(), description: 'Size of each block as written to HDFS. This overrides the Hadoop Configuration' },
    { name: 'IO Buffer Size', validator: Validators.dataSize(), description: 'Amount of memory to use to buffer file contents during IO. This overrides the Hadoop Configuration' },
    { name: 'Replication', validator: Validators.integer({ min: 1, max: 512 }), description: 'Number of times that HDFS will replicate each file. This overrides the Hadoop Configuration' },
    { name: 'Permissions umask', validator: umaskValidator, description: 'A umask represented as an octal number which determines the permissions of files written to HDFS (666 minus the umask) and of directories it creates (777 minus the umask). If undefined, the cluster\'s fs.permissions.umask-mode applies (022 by default).' },
    { name: 'Remote Owner', expressionLanguage: 'flowfile', description: 'Changes the owner of the HDFS file to this value after it is written. This only works if Sluice runs as a user that has HDFS super user privilege to change owner' },
    { name: 'Remote Group', expressionLanguage: 'flowfile', description: 'Changes the group of the HDFS file to this value after it is written. This only works if Sluice runs as a user that has HDFS super user privilege to change group' },
    {
      name: 'Compression codec', required: true, defaultValue: 'NONE', aliases: ['Compression Codec'],
      description: 'Compression codec applied to the data written; GZIP adds ".gz" to the file name.',
      allowableValues: COMPRESSION_CODECS.map((c) => ({ value: c, description: c === 'GZIP' ? 'gzip (Hadoop\'s GzipCodec), extension .gz' : 'No compression' })),
    },
    { name: 'Max Retries', required: true, defaultValue: String(DEFAULT_RETRY.maxRetries), validator: Validators.integer({ min: 0, max: 20 }), description: 'Sluice addition: how many times a write that failed transiently (a lease held by another writer or in recovery, a DataNode failure, a timeout, RENAME answering false) is tried again before the FlowFile goes to failure.' },
    { name: 'Retry Backoff', required: true, defaultValue: '500 ms', validator: Validators.timePeriod, description: 'Sluice addition: the wait before the first retry; it doubles each time (up to 10 secs).' },
  ],
  relationships: [
    { name: 'success', description: 'Files that have been successfully written to HDFS are transferred to this relationship' },
    { name: 'failure', description: 'Files that could not be written to HDFS for some reason are transferred to this relationship', terminalFailure: true },
  ],
  readsAttributes: [{ name: 'filename', description: 'The name of the file written to HDFS comes from the value of this attribute.' }],
  writesAttributes: [
    { name: 'filename', description: 'The name of the file written to HDFS is stored in this attribute.' },
    { name: 'absolute.hdfs.path', description: 'The absolute path to the file on HDFS is stored in this attribute.' },
    { name: 'hadoop.file.url', description: 'The hadoop url for the file is stored in this attribute.' },
    { name: 'target.dir.created', description: 'The result(true/false) indicates if the folder is created by the processor.' },
  ],
  customValidate: (ctx) => validate((n) => ctx.value(n)),
  onScheduled(ctx) {
    const umask = ctx.property('Permissions umask').value;
    ctx.state = {
      dirs: new DirectoryCache(),
      conflict: (ctx.property('Conflict Resolution Strategy').value ?? 'fail') as ConflictResolution,
      strategy: (ctx.property('Writing Strategy').value ?? 'writeAndRename') as WritingStrategy,
      codec: codecFor(ctx.property('Compression codec').value),
      umask: umask ? parseInt(umask, 8) : undefined,
      replication: ctx.property('Replication').asInteger(),
      blockSize: ctx.property('Block Size').asDataSize(),
      bufferSize: ctx.property('IO Buffer Size').asDataSize(),
      retry: { ...DEFAULT_RETRY, maxRetries: ctx.property('Max Retries').asInteger() ?? DEFAULT_RETRY.maxRetries, backoffMs: ctx.property('Retry Backoff').asTimePeriod() ?? DEFAULT_RETRY.backoffMs },
    };
  },
  onStopped(ctx) {
    ctx.state?.dirs.clear();
  },
  async onTrigger(ctx, session) {
    const flowFiles = session.get(BATCH);
    if (flowFiles.length === 0) return;
    const client = ctx.controllerService<WebHdfsClient>('HDFS Connection Service');
    let failed = false;
    for (const ff of flowFiles) {
      if (!(await putOne(ctx, session, client, ff))) failed = true;
    }
    if (failed) ctx.yield();
  },
});

async function putOne(ctx: ProcessContext<State>, session: ProcessSession, client: WebHdfsClient, ff: FlowFile): Promise<boolean> {
  const s = ctx.state;
  const name = (ff.getAttribute('filename') ?? ff.id) + s.codec.extension;
  let where = name;
  try {
    if (name === '' || name.includes('/') || name === '.' || name === '..') throw new Error(`filename ${JSON.stringify(name)} is not a plain file name`);
    let dir = ctx.property('Directory').evaluate(ff) ?? '';
    if (!dir.startsWith('/')) dir = `/user/${client.user ?? 'dr.who'}/${dir}`;
    where = `${dir}/${name}`;
    const data = await s.codec.encode(session.read(ff));
    const result = await putFile(client, {
      directory: dir, filename: name, data, conflict: s.conflict, strategy: s.strategy,
      filePermission: s.umask === undefined ? undefined : 0o666 & ~s.umask,
      dirPermission: s.umask === undefined ? undefined : 0o777 & ~s.umask,
      replication: s.replication, blockSize: s.blockSize, bufferSize: s.bufferSize,
      owner: ctx.property('Remote Owner').evaluate(ff) || undefined,
      group: ctx.property('Remote Group').evaluate(ff) || undefined,
    }, s.retry, s.dirs, {
      onRetry: (msg) => ctx.logger.warn(msg),
      onWarning: (msg) => ctx.bulletin('WARNING', msg),
    });
    if (result.kind === 'ignored') {
      ctx.logger.info(`${result.path} already exists; ${ff.id} goes to success (ignore)`);
      session.transfer(ff, 'success');
      return true;
    }
    if (result.kind === 'exists') {
      ctx.bulletin('WARNING', `${result.path} already exists; penalizing ${ff.id} and routing it to failure`);
      session.transfer(session.penalize(ff), 'failure');
      return true;
    }
    const slash = result.path.lastIndexOf('/');
    const updated = session.putAllAttributes(ff, {
      filename: result.path.slice(slash + 1),
      'absolute.hdfs.path': slash === 0 ? '/' : result.path.slice(0, slash),
      'hadoop.file.url': result.url,
      'target.dir.created': String(result.targetDirCreated),
    });
    session.transfer(updated, 'success');
    return true;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    ctx.bulletin('ERROR', `Failed to write ${where} to HDFS; routing ${ff.id} to failure: ${msg}`);
    ctx.logger.error({ err: e }, 'Failed to write to HDFS');
    session.transfer(session.penalize(ff), 'failure');
    return false;
  }
}
