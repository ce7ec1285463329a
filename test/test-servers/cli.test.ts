// Each test server's CLI starts as its own process, prints "listening", serves, and exits cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnElasticsearchTestServer } from '../support/elasticsearch/process.ts';
import { spawnWebHdfsTestServer } from '../support/webhdfs/process.ts';

test('elasticsearch CLI prints listening, serves, stops on SIGTERM', async () => {
  const es = await spawnElasticsearchTestServer();
  try {
    const res = await fetch(es.url + '/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-elastic-product'), 'Elasticsearch');
    const info = (await res.json()) as { version: { number: string } };
    assert.match(info.version.number, /^9\./);
    // faults can be driven across the process boundary
    const set = await fetch(es.url + '/_test/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"unavailable":1}' });
    assert.equal(set.status, 200);
    await set.arrayBuffer();
    const down = await fetch(es.url + '/_cluster/health');
    assert.equal(down.status, 503);
    await down.arrayBuffer();
  } finally {
    await es.stop();
  }
  assert.equal(es.child.exitCode, 0);
});

test('webhdfs CLI prints listening with both ports, serves, stops on SIGTERM', async () => {
  const hdfs = await spawnWebHdfsTestServer();
  try {
    assert.notEqual(hdfs.port, hdfs.datanodePort);
    const res = await fetch(`${hdfs.url}/webhdfs/v1/?op=GETFILESTATUS`);
    assert.equal(res.status, 200);
    const st = (await res.json()) as { FileStatus: { type: string; pathSuffix: string } };
    assert.equal(st.FileStatus.type, 'DIRECTORY');
    const create = await fetch(`${hdfs.url}/webhdfs/v1/cli.txt?op=CREATE&user.name=cli`, { method: 'PUT', redirect: 'manual' });
    assert.equal(create.status, 307);
    assert.equal(new URL(create.headers.get('location')!).port, String(hdfs.datanodePort));
    await create.arrayBuffer();
  } finally {
    await hdfs.stop();
  }
  assert.equal(hdfs.child.exitCode, 0);
});
