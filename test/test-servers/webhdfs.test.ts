// The WebHDFS test server over plain fetch with manual redirects, the way a WebHDFS client must talk to it.
// Runs against a real NameNode when WEBHDFS_URL is set; fault tests then skip.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { webhdfsForTests, type ServiceForTests } from '../support/env.ts';
import type { WebHdfsFaultPatch } from '../support/webhdfs/faults.ts';
import { startWebHdfsTestServer } from '../support/webhdfs/server.ts';

let hdfs: ServiceForTests<WebHdfsFaultPatch>;
const USER = 'sluice';
const base = `/tmp/sluice-webhdfs-test-${process.pid}`;
let n = 0;
const freshDir = () => `${base}/${++n}`;

interface Remote {
  RemoteException: { exception: string; javaClassName: string; message: string };
}

function nnUrl(path: string, op: string, params: Record<string, string> = {}): string {
  const q = new URLSearchParams({ op, 'user.name': USER, ...params });
  return `${hdfs.url}/webhdfs/v1${path}?${q}`;
}

async function nn(method: string, path: string, op: string, params: Record<string, string> = {}) {
  const res = await fetch(nnUrl(path, op, params), { method, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as any) : undefined, text };
}

/** Two-step write: NameNode 307 → DataNode. Returns both answers. */
async function twoStep(method: 'PUT' | 'POST', path: string, op: 'CREATE' | 'APPEND', data: string, params: Record<string, string> = {}) {
  const first = await fetch(nnUrl(path, op, params), { method, redirect: 'manual' });
  await first.arrayBuffer();
  if (first.status !== 307) return { first, second: null as Response | null, secondText: '' };
  const location = first.headers.get('location')!;
  const second = await fetch(location, { method, body: data, headers: { 'content-type': 'application/octet-stream' } });
  return { first, second, secondText: await second.text() };
}

async function write(path: string, data: string, params: Record<string, string> = {}) {
  const { second, secondText } = await twoStep('PUT', path, 'CREATE', data, params);
  assert.equal(second?.status, 201, secondText);
}

async function append(path: string, data: string) {
  const { second, secondText } = await twoStep('POST', path, 'APPEND', data);
  assert.equal(second?.status, 200, secondText);
}

async function read(path: string, params: Record<string, string> = {}): Promise<string> {
  const first = await fetch(nnUrl(path, 'OPEN', params), { redirect: 'manual' });
  await first.arrayBuffer();
  assert.equal(first.status, 307);
  const res = await fetch(first.headers.get('location')!);
  assert.equal(res.status, 200);
  return res.text();
}

function assertRemote(r: { status: number; json?: any }, status: number, exception: string, javaClassName: string, message?: RegExp) {
  assert.equal(r.status, status, JSON.stringify(r.json));
  const body = r.json as Remote;
  assert.deepEqual(Object.keys(body), ['RemoteException']);
  assert.equal(body.RemoteException.exception, exception);
  assert.equal(body.RemoteException.javaClassName, javaClassName);
  if (message) assert.match(body.RemoteException.message, message);
}

before(async () => {
  hdfs = await webhdfsForTests();
});

after(async () => {
  if (hdfs?.real) await nn('DELETE', base, 'DELETE', { recursive: 'true' }).catch(() => {});
  await hdfs?.close();
});

describe('webhdfs test server', () => {
  test('CREATE is a two-step write: 307 from the NameNode, 201 from the DataNode', async () => {
    const dir = freshDir();
    const path = `${dir}/a.txt`;
    const first = await fetch(nnUrl(path, 'CREATE', { overwrite: 'false', permission: '640' }), { method: 'PUT', redirect: 'manual' });
    assert.equal(first.status, 307);
    assert.equal(await first.text(), '');
    const location = new URL(first.headers.get('location')!);
    assert.notEqual(location.origin, new URL(hdfs.url).origin);
    assert.equal(location.pathname, `/webhdfs/v1${path}`);
    assert.equal(location.searchParams.get('op'), 'CREATE');
    assert.equal(location.searchParams.get('overwrite'), 'false');
    assert.equal(location.searchParams.get('user.name'), USER);
    assert.equal((await nn('GET', path, 'GETFILESTATUS')).status, 404, 'nothing is created before the DataNode step');

    const second = await fetch(location, { method: 'PUT', body: 'hello', headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(second.status, 201);
    assert.match(second.headers.get('location') ?? '', new RegExp(`^hdfs://.+${path}$`));
    await second.arrayBuffer();

    const st = await nn('GET', path, 'GETFILESTATUS');
    assert.equal(st.status, 200);
    const fs = st.json.FileStatus;
    assert.deepEqual(Object.keys(fs).sort(), [
      'accessTime', 'blockSize', 'childrenNum', 'fileId', 'group', 'length', 'modificationTime',
      'owner', 'pathSuffix', 'permission', 'replication', 'storagePolicy', 'type',
    ]);
    assert.equal(fs.type, 'FILE');
    assert.equal(fs.length, 5);
    assert.equal(fs.owner, USER);
    assert.equal(fs.permission, '640');
    assert.equal(fs.pathSuffix, '');
    assert.ok(fs.blockSize > 0 && fs.replication > 0 && fs.fileId > 0);
  });

  test('CREATE on an existing file: FileAlreadyExistsException without overwrite, replaced with it', async () => {
    const path = `${freshDir()}/b.txt`;
    await write(path, 'one');
    const { second, secondText } = await twoStep('PUT', path, 'CREATE', 'two');
    assertRemote(
      { status: second!.status, json: JSON.parse(secondText) },
      403,
      'FileAlreadyExistsException',
      'org.apache.hadoop.fs.FileAlreadyExistsException',
      new RegExp(`${path} for client .* already exists`),
    );
    await write(path, 'three', { overwrite: 'true' });
    assert.equal(await read(path), 'three');
  });

  test('APPEND is two-step too (DataNode answers 200); OPEN honours offset and length', async () => {
    const path = `${freshDir()}/c.log`;
    await write(path, 'line1\n');
    const first = await fetch(nnUrl(path, 'APPEND'), { method: 'POST', redirect: 'manual' });
    assert.equal(first.status, 307);
    const location = new URL(first.headers.get('location')!);
    assert.equal(location.searchParams.get('op'), 'APPEND');
    const second = await fetch(location, { method: 'POST', body: 'line2\n' });
    assert.equal(second.status, 200);
    await second.arrayBuffer();
    await append(path, 'line3\n');
    assert.equal(await read(path), 'line1\nline2\nline3\n');
    assert.equal(await read(path, { offset: '6', length: '5' }), 'line2');
    assert.equal((await nn('GET', path, 'GETFILESTATUS')).json.FileStatus.length, 18);
    assertRemote(await nn('POST', `${path}.missing`, 'APPEND'), 404, 'FileNotFoundException', 'java.io.FileNotFoundException');
    assertRemote(await nn('GET', `${path}.missing`, 'OPEN'), 404, 'FileNotFoundException', 'java.io.FileNotFoundException', /File does not exist/);
  });

  test('MKDIRS, LISTSTATUS, GETFILESTATUS of a directory', async () => {
    const dir = freshDir();
    const mk = await nn('PUT', `${dir}/x/y`, 'MKDIRS', { permission: '750' });
    assert.equal(mk.status, 200);
    assert.deepEqual(mk.json, { boolean: true });
    assert.deepEqual((await nn('PUT', `${dir}/x/y`, 'MKDIRS')).json, { boolean: true });
    await write(`${dir}/b.txt`, 'bb');
    await write(`${dir}/a.txt`, 'a');
    const ls = await nn('GET', dir, 'LISTSTATUS');
    assert.equal(ls.status, 200);
    const entries = ls.json.FileStatuses.FileStatus as { pathSuffix: string; type: string; length: number }[];
    assert.deepEqual(entries.map((e) => [e.pathSuffix, e.type, e.length]), [
      ['a.txt', 'FILE', 1],
      ['b.txt', 'FILE', 2],
      ['x', 'DIRECTORY', 0],
    ]);
    const st = (await nn('GET', `${dir}/x/y`, 'GETFILESTATUS')).json.FileStatus;
    assert.equal(st.type, 'DIRECTORY');
    assert.equal(st.permission, '750');
    assert.equal((await nn('GET', dir, 'GETFILESTATUS')).json.FileStatus.childrenNum, 3);
    const single = await nn('GET', `${dir}/a.txt`, 'LISTSTATUS');
    assert.equal(single.json.FileStatuses.FileStatus.length, 1);
    assertRemote(await nn('GET', `${dir}/nope`, 'LISTSTATUS'), 404, 'FileNotFoundException', 'java.io.FileNotFoundException');
    assertRemote(await nn('PUT', `${dir}/a.txt/sub`, 'MKDIRS'), 403, 'ParentNotDirectoryException', 'org.apache.hadoop.fs.ParentNotDirectoryException');
  });

  test('RENAME answers true, or false when the source is missing or the destination exists', async () => {
    const dir = freshDir();
    await write(`${dir}/src.txt`, 's');
    await write(`${dir}/taken.txt`, 't');
    assert.deepEqual((await nn('PUT', `${dir}/src.txt`, 'RENAME', { destination: `${dir}/dst.txt` })).json, { boolean: true });
    assert.equal((await nn('GET', `${dir}/src.txt`, 'GETFILESTATUS')).status, 404);
    assert.equal(await read(`${dir}/dst.txt`), 's');
    assert.deepEqual((await nn('PUT', `${dir}/missing.txt`, 'RENAME', { destination: `${dir}/other.txt` })).json, { boolean: false });
    assert.deepEqual((await nn('PUT', `${dir}/dst.txt`, 'RENAME', { destination: `${dir}/taken.txt` })).json, { boolean: false });
    assert.equal(await read(`${dir}/taken.txt`), 't');
    await nn('PUT', `${dir}/sub`, 'MKDIRS');
    assert.deepEqual((await nn('PUT', `${dir}/dst.txt`, 'RENAME', { destination: `${dir}/sub` })).json, { boolean: true });
    assert.equal(await read(`${dir}/sub/dst.txt`), 's');
    assert.deepEqual((await nn('PUT', `${dir}/taken.txt`, 'RENAME', { destination: `${dir}/nodir/x.txt` })).json, { boolean: false });
  });

  test('DELETE: true, false when missing, PathIsNotEmptyDirectoryException without recursive', async () => {
    const dir = freshDir();
    await write(`${dir}/d/f.txt`, 'f');
    assert.deepEqual((await nn('DELETE', `${dir}/nope`, 'DELETE')).json, { boolean: false });
    assertRemote(
      await nn('DELETE', `${dir}/d`, 'DELETE'),
      403,
      'PathIsNotEmptyDirectoryException',
      'org.apache.hadoop.fs.PathIsNotEmptyDirectoryException',
      /is non empty': Directory is not empty/,
    );
    assert.deepEqual((await nn('DELETE', `${dir}/d/f.txt`, 'DELETE')).json, { boolean: true });
    await write(`${dir}/d/g.txt`, 'g');
    assert.deepEqual((await nn('DELETE', `${dir}/d`, 'DELETE', { recursive: 'true' })).json, { boolean: true });
    assert.equal((await nn('GET', `${dir}/d`, 'GETFILESTATUS')).status, 404);
  });

  test('SETPERMISSION, SETOWNER and AccessControlException for other users', async () => {
    const dir = freshDir();
    await write(`${dir}/p.txt`, 'p');
    const sp = await nn('PUT', `${dir}/p.txt`, 'SETPERMISSION', { permission: '600' });
    assert.equal(sp.status, 200);
    assert.equal(sp.text, '');
    assert.equal((await nn('GET', `${dir}/p.txt`, 'GETFILESTATUS')).json.FileStatus.permission, '600');
    await nn('PUT', dir, 'SETPERMISSION', { permission: '755' });
    // another user can neither write into the 755 directory nor read the 600 file
    const other = await fetch(`${hdfs.url}/webhdfs/v1${dir}/q.txt?op=CREATE&user.name=mallory`, { method: 'PUT', redirect: 'manual' });
    await other.arrayBuffer();
    const dn = await fetch(other.headers.get('location')!, { method: 'PUT', body: 'x' });
    assertRemote(
      { status: dn.status, json: await dn.json() },
      403,
      'AccessControlException',
      'org.apache.hadoop.security.AccessControlException',
      /Permission denied: user=mallory, access=WRITE, inode=".*":sluice:.*:drwxr-xr-x/,
    );
    const open = await fetch(`${hdfs.url}/webhdfs/v1${dir}/p.txt?op=OPEN&user.name=mallory`, { redirect: 'manual' });
    assertRemote({ status: open.status, json: await open.json() }, 403, 'AccessControlException', 'org.apache.hadoop.security.AccessControlException');
    const chown = await fetch(`${hdfs.url}/webhdfs/v1${dir}/p.txt?op=SETOWNER&owner=mallory&user.name=${USER}`, { method: 'PUT' });
    assertRemote({ status: chown.status, json: await chown.json() }, 403, 'AccessControlException', 'org.apache.hadoop.security.AccessControlException', /not a super user/);
    const chownSu = await fetch(`${hdfs.url}/webhdfs/v1${dir}/p.txt?op=SETOWNER&owner=mallory&group=staff&user.name=hdfs`, { method: 'PUT' });
    assert.equal(chownSu.status, 200);
    await chownSu.arrayBuffer();
    const st = (await nn('GET', `${dir}/p.txt`, 'GETFILESTATUS')).json.FileStatus;
    assert.equal(st.owner, 'mallory');
    assert.equal(st.group, 'staff');
  });

  test('RemoteException formats for bad requests', async () => {
    const dir = freshDir();
    assertRemote(
      await nn('PUT', dir, 'FROBNICATE'),
      400,
      'IllegalArgumentException',
      'java.lang.IllegalArgumentException',
      /^Invalid value for webhdfs parameter "op": No enum constant org\.apache\.hadoop\.hdfs\.web\.resources\.PutOpParam\.Op\.FROBNICATE$/,
    );
    assertRemote(await nn('GET', dir, 'CREATE'), 400, 'IllegalArgumentException', 'java.lang.IllegalArgumentException', /GetOpParam/);
    assertRemote(
      await nn('PUT', `${dir}/f`, 'CREATE', { overwrite: 'maybe' }),
      400,
      'IllegalArgumentException',
      'java.lang.IllegalArgumentException',
      /^Invalid value for webhdfs parameter "overwrite": Failed to parse "maybe" to Boolean\.$/,
    );
    assertRemote(await nn('PUT', `${dir}/f`, 'MKDIRS', { permission: '999' }), 400, 'IllegalArgumentException', 'java.lang.IllegalArgumentException');
    assertRemote(
      await nn('GET', `${dir}/none`, 'GETFILESTATUS'),
      404,
      'FileNotFoundException',
      'java.io.FileNotFoundException',
      new RegExp(`^File does not exist: ${dir}/none$`),
    );
    const res = await fetch(nnUrl(`${dir}/x`, 'GETFILESTATUS'));
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    await res.arrayBuffer();
  });

  test('noredirect=true answers the DataNode location as JSON', async () => {
    const r = await nn('PUT', `${freshDir()}/n.txt`, 'CREATE', { noredirect: 'true' });
    assert.equal(r.status, 200);
    assert.match(r.json.Location, /^http:\/\/.+\/webhdfs\/v1\/.+op=CREATE/);
  });

  test('lease error injection on APPEND (DataNode step, then NameNode step)', async (t) => {
    if (!hdfs.faultsAvailable) return t.skip('fault injection needs the test server');
    const path = `${freshDir()}/lease.log`;
    await write(path, 'a');
    await hdfs.faults!.set({ appendLeaseError: { count: 2, exception: 'RecoveryInProgressException' } });
    for (let i = 0; i < 2; i++) {
      const { first, second, secondText } = await twoStep('POST', path, 'APPEND', 'x');
      assert.equal(first.status, 307);
      assertRemote(
        { status: second!.status, json: JSON.parse(secondText) },
        403,
        'RecoveryInProgressException',
        'org.apache.hadoop.hdfs.protocol.RecoveryInProgressException',
        new RegExp(`^Failed to APPEND_FILE ${path} for DFSClient_\\S+ on \\S+ because lease recovery is in progress\\. Try again later\\.`),
      );
    }
    await append(path, 'b');
    await hdfs.faults!.set({ appendLeaseError: { count: 1, exception: 'AlreadyBeingCreatedException', stage: 'namenode' } });
    assertRemote(
      await nn('POST', path, 'APPEND'),
      403,
      'AlreadyBeingCreatedException',
      'org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException',
      /because this file lease is currently owned by/,
    );
    await append(path, 'c');
    assert.equal(await read(path), 'abc');
    assert.equal((await hdfs.faults!.stats()).faults.appendLeaseErrors, 3);
  });

  test('a concurrent writer holds the lease: AlreadyBeingCreatedException', async (t) => {
    if (hdfs.real) return t.skip('timing-sensitive against a real cluster');
    const path = `${freshDir()}/busy.log`;
    await write(path, 'x');
    const first = await fetch(nnUrl(path, 'APPEND'), { method: 'POST', redirect: 'manual' });
    await first.arrayBuffer();
    const location = new URL(first.headers.get('location')!);
    // start an append whose body is not finished yet
    const slow = request(location, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } });
    const slowDone = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      slow.on('error', reject);
    });
    slow.write('partial-');
    await new Promise((r) => setTimeout(r, 50));
    const { second, secondText } = await twoStep('POST', path, 'APPEND', 'competing');
    assertRemote(
      { status: second!.status, json: JSON.parse(secondText) },
      403,
      'AlreadyBeingCreatedException',
      'org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException',
    );
    slow.end('done');
    assert.equal(await slowDone, 200);
    assert.equal(await read(path), 'xpartial-done');
  });

  test('DataNode failure injection: 500 answers and dropped connections', async (t) => {
    if (!hdfs.faultsAvailable) return t.skip('fault injection needs the test server');
    const path = `${freshDir()}/dn.log`;
    await write(path, 'base');
    await hdfs.faults!.set({ datanodeWriteFailure: { count: 1, mode: 'error' } });
    const failed = await twoStep('POST', path, 'APPEND', 'lost');
    assert.equal(failed.first.status, 307);
    assertRemote({ status: failed.second!.status, json: JSON.parse(failed.secondText) }, 500, 'IOException', 'java.io.IOException');
    assert.equal(await read(path), 'base');

    await hdfs.faults!.set({ datanodeWriteFailure: { count: 1, mode: 'drop' } });
    const first = await fetch(nnUrl(path, 'APPEND'), { method: 'POST', redirect: 'manual' });
    await first.arrayBuffer();
    await assert.rejects(fetch(first.headers.get('location')!, { method: 'POST', body: 'x'.repeat(256 * 1024) }));
    assert.equal(await read(path), 'base');

    await hdfs.faults!.set({ datanodeWriteFailure: 1 });
    const created = await twoStep('PUT', `${path}.new`, 'CREATE', 'data');
    assert.equal(created.second!.status, 500);
    assert.equal((await nn('GET', `${path}.new`, 'GETFILESTATUS')).json.FileStatus.length, 0, 'a failed CREATE leaves an empty file');

    await append(path, '+ok');
    assert.equal(await read(path), 'base+ok');
    const stats = await hdfs.faults!.stats();
    assert.equal(stats.faults.datanodeWriteFailures, 3);
  });

  test('forced RENAME false', async (t) => {
    if (!hdfs.faultsAvailable) return t.skip('fault injection needs the test server');
    const dir = freshDir();
    await write(`${dir}/r.txt`, 'r');
    await hdfs.faults!.set({ renameFalse: 2 });
    for (let i = 0; i < 2; i++)
      assert.deepEqual((await nn('PUT', `${dir}/r.txt`, 'RENAME', { destination: `${dir}/r2.txt` })).json, { boolean: false });
    assert.equal(await read(`${dir}/r.txt`), 'r');
    assert.deepEqual((await nn('PUT', `${dir}/r.txt`, 'RENAME', { destination: `${dir}/r2.txt` })).json, { boolean: true });
    await assert.rejects(hdfs.faults!.set({ renameFalse: -1 }), /400/);
  });
});

describe('webhdfs test server with --data-dir', () => {
  test('files live in the folder and survive a restart with their metadata', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-webhdfs-'));
    try {
      let server = await startWebHdfsTestServer({ port: 0, datanodePort: 0, dataDir });
      const put = async (url: string, body: string) => {
        const r1 = await fetch(url, { method: 'PUT', redirect: 'manual' });
        await r1.arrayBuffer();
        const r2 = await fetch(r1.headers.get('location')!, { method: 'PUT', body });
        assert.equal(r2.status, 201);
        await r2.arrayBuffer();
      };
      await put(`${server.url}/webhdfs/v1/data/out/part-0?op=CREATE&user.name=etl&permission=600`, 'persisted');
      await server.close();
      assert.equal(readFileSync(join(dataDir, 'data/out/part-0'), 'utf8'), 'persisted');

      server = await startWebHdfsTestServer({ port: 0, datanodePort: 0, dataDir });
      const st = await (await fetch(`${server.url}/webhdfs/v1/data/out/part-0?op=GETFILESTATUS`)).json();
      assert.equal(st.FileStatus.owner, 'etl');
      assert.equal(st.FileStatus.permission, '600');
      assert.equal(st.FileStatus.length, 9);
      const del = await (await fetch(`${server.url}/webhdfs/v1/data?op=DELETE&recursive=true&user.name=etl`, { method: 'DELETE' })).json();
      assert.deepEqual(del, { boolean: true });
      assert.equal(existsSync(join(dataDir, 'data')), false);
      await server.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
