// Docker can't run here, so the stack is verified by structure: docker-compose.yml is parsed (a YAML
// subset parser, yaml-subset.ts) and checked for internal consistency — images, healthchecks,
// depends_on, ports and listeners, volumes — and against the canonical flow's parameters and the
// Dockerfile.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseYamlSubset, YamlSubsetError, type YamlValue } from './yaml-subset.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(ROOT + p, 'utf8');

type Map = { [key: string]: YamlValue };
const isMap = (v: YamlValue | undefined): v is Map => typeof v === 'object' && v !== null && !Array.isArray(v);
function map(v: YamlValue | undefined, what: string): Map {
  assert.ok(isMap(v), `${what} must be a mapping`);
  return v;
}
function list(v: YamlValue | undefined, what: string): YamlValue[] {
  assert.ok(Array.isArray(v), `${what} must be a list`);
  return v;
}
function str(v: YamlValue | undefined, what: string): string {
  assert.equal(typeof v, 'string', `${what} must be a scalar`);
  return v as string;
}

const compose = map(parseYamlSubset(read('docker-compose.yml')), 'the compose file');
const services = map(compose.services, 'services');
const svc = (name: string) => map(services[name], `service ${name}`);
const env = (name: string) => map(svc(name).environment, `${name}.environment`);

/** "9092:9092" / "127.0.0.1:9200:9200" → { host, container }. */
function portMappings(name: string): { host: number; container: number }[] {
  const ports = svc(name).ports;
  if (ports === undefined) return [];
  return list(ports, `${name}.ports`).map((p) => {
    const m = /^(?:[\d.]+:)?(\d+):(\d+)(?:\/tcp)?$/.exec(str(p, `${name}.ports[]`));
    assert.ok(m, `${name}: port ${String(p)} must be "host:container"`);
    return { host: Number(m[1]), container: Number(m[2]) };
  });
}

function durationSeconds(v: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(v);
  assert.ok(m, `duration ${v} must look like 10s`);
  return Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1);
}

/** Parses KAFKA_LISTENERS-style values: "NAME://host:port,..." → name → {host, port}. */
function listeners(v: string): Record<string, { host: string; port: number }> {
  const out: Record<string, { host: string; port: number }> = {};
  for (const part of v.split(',')) {
    const m = /^([A-Z_]+):\/\/([^:]*):(\d+)$/.exec(part.trim());
    assert.ok(m, `listener ${part} must be NAME://host:port`);
    out[m[1]] = { host: m[2], port: Number(m[3]) };
  }
  return out;
}

function heapMb(opts: string, flag: 'Xmx' | 'Xms'): number {
  const m = new RegExp(`-${flag}(\\d+)([mg])`).exec(opts);
  assert.ok(m, `${opts} must set -${flag}`);
  return Number(m[1]) * (m[2] === 'g' ? 1024 : 1);
}

describe('the YAML subset parser', () => {
  test('parses what the compose file uses', () => {
    const doc = parseYamlSubset([
      '# comment',
      'a:',
      '  b: "x # not a comment"   # a comment',
      "  c: 'it''s'",
      '  d: ["CMD", "echo \\"hi\\"", plain]',
      '  e:',
      '    - one',
      '    - "two: 2"',
      '    - k: v',
      '      k2: v2',
      '  f: {}',
      '  HDFS-SITE.XML_dfs.replication: "1"',
    ].join('\n'));
    assert.deepEqual(doc, { a: { b: 'x # not a comment', c: "it's", d: ['CMD', 'echo "hi"', 'plain'], e: ['one', 'two: 2', { k: 'v', k2: 'v2' }], f: {}, 'HDFS-SITE.XML_dfs.replication': '1' } });
  });

  test('refuses what it does not support', () => {
    for (const bad of ['a: &x 1', 'a: *x', 'a: |', 'a: {b: 1}', 'a:\n\tb: 1', 'a: 1\na: 2', 'a: [1, [2]]']) {
      assert.throws(() => parseYamlSubset(bad), YamlSubsetError, bad);
    }
  });
});

describe('docker-compose.yml', () => {
  test('has the six services, on the required images', () => {
    assert.deepEqual(Object.keys(services).sort(), ['datanode', 'elasticsearch', 'kafka', 'namenode', 'redis', 'sluice']);
    assert.match(str(svc('kafka').image, 'kafka.image'), /^apache\/kafka:4\.\d+\.\d+$/);
    assert.match(str(svc('elasticsearch').image, 'elasticsearch.image'), /^docker\.elastic\.co\/elasticsearch\/elasticsearch:9\.\d+\.\d+$/);
    assert.match(str(svc('namenode').image, 'namenode.image'), /^apache\/hadoop:3(\.\d+)*$/);
    assert.equal(svc('datanode').image, svc('namenode').image, 'NameNode and DataNode run the same Hadoop');
    assert.match(str(svc('redis').image, 'redis.image'), /^redis:7(\.\d+)*(-alpine)?$/);
    // Compose interpolates ${VAR} and $VAR everywhere; a literal dollar must be written $$
    assert.doesNotMatch(read('docker-compose.yml').replace(/\$\$/g, ''), /\$/, 'no accidental variable interpolation');
  });

  test('the Elasticsearch server major matches the client major (@elastic/elasticsearch)', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const clientMajor = /(\d+)/.exec(pkg.dependencies['@elastic/elasticsearch'])![1];
    const installed = JSON.parse(read('node_modules/@elastic/elasticsearch/package.json')) as { version: string };
    const serverMajor = /:(\d+)\./.exec(str(svc('elasticsearch').image, 'image'))![1];
    assert.equal(serverMajor, clientMajor);
    assert.equal(installed.version.split('.')[0], serverMajor);
  });

  test('every service has a healthcheck, and depends_on waits for service_healthy', () => {
    for (const [name, raw] of Object.entries(services)) {
      const s = map(raw, name);
      const hc = map(s.healthcheck, `${name}.healthcheck`);
      const testCmd = list(hc.test, `${name}.healthcheck.test`).map((x) => str(x, 'test[]'));
      assert.ok(['CMD', 'CMD-SHELL'].includes(testCmd[0]), `${name}: healthcheck.test starts with CMD or CMD-SHELL`);
      assert.ok(testCmd.length >= 2 && testCmd[1].trim() !== '', `${name}: healthcheck runs something`);
      for (const k of ['interval', 'timeout', 'retries', 'start_period']) assert.ok(hc[k] !== undefined, `${name}.healthcheck.${k}`);
      assert.ok(durationSeconds(str(hc.timeout, 'timeout')) <= durationSeconds(str(hc.interval, 'interval')) + 5);
      assert.ok(Number(hc.retries) >= 3);
      if (s.depends_on === undefined) continue;
      for (const [target, cond] of Object.entries(map(s.depends_on, `${name}.depends_on`))) {
        assert.ok(services[target], `${name} depends on ${target}, which is not a service`);
        assert.notEqual(target, name);
        assert.equal(map(cond, `${name}.depends_on.${target}`).condition, 'service_healthy', `${name} → ${target}`);
      }
    }
    // no cycles
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (n: string) => {
      assert.ok(!visiting.has(n), `depends_on cycle through ${n}`);
      if (done.has(n)) return;
      visiting.add(n);
      const deps = svc(n).depends_on;
      if (deps) for (const d of Object.keys(map(deps, 'depends_on'))) visit(d);
      visiting.delete(n);
      done.add(n);
    };
    for (const n of Object.keys(services)) visit(n);
  });

  test('sluice starts after every other service is healthy', () => {
    const deps = Object.keys(map(svc('sluice').depends_on, 'sluice.depends_on')).sort();
    assert.deepEqual(deps, ['datanode', 'elasticsearch', 'kafka', 'namenode', 'redis']);
    assert.ok(Object.keys(map(svc('datanode').depends_on, 'datanode.depends_on')).includes('namenode'));
  });

  test('published host ports are unique, and every service has a fixed hostname or is sluice', () => {
    const seen = new Map<number, string>();
    for (const name of Object.keys(services)) {
      for (const { host } of portMappings(name)) {
        assert.ok(!seen.has(host), `host port ${host} is published by ${seen.get(host)} and ${name}`);
        seen.set(host, name);
      }
    }
    for (const [name, port] of [['kafka', 9092], ['elasticsearch', 9200], ['namenode', 9870], ['datanode', 9864], ['redis', 6379], ['sluice', 8080]] as const) {
      assert.ok(portMappings(name).some((p) => p.host === port && p.container === port), `${name} publishes ${port}`);
    }
    for (const name of ['kafka', 'elasticsearch', 'namenode', 'datanode', 'redis']) assert.equal(svc(name).hostname, name, `${name}.hostname`);
  });

  test('Kafka: KRaft single node with a host listener and an internal one', () => {
    const e = env('kafka');
    const roles = str(e.KAFKA_PROCESS_ROLES, 'roles').split(',').map((r) => r.trim()).sort();
    assert.deepEqual(roles, ['broker', 'controller']);
    const nodeId = str(e.KAFKA_NODE_ID, 'node id');
    const bound = listeners(str(e.KAFKA_LISTENERS, 'KAFKA_LISTENERS'));
    const advertised = listeners(str(e.KAFKA_ADVERTISED_LISTENERS, 'KAFKA_ADVERTISED_LISTENERS'));
    const protocols = Object.fromEntries(str(e.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP, 'map').split(',').map((p) => p.trim().split(':') as [string, string]));
    const controller = str(e.KAFKA_CONTROLLER_LISTENER_NAMES, 'controller names');
    for (const name of Object.keys(bound)) assert.ok(protocols[name], `listener ${name} has a security protocol`);
    assert.ok(bound[controller], 'the controller listener is bound');
    assert.ok(!advertised[controller], 'the controller listener is not advertised');
    const inter = str(e.KAFKA_INTER_BROKER_LISTENER_NAME, 'inter-broker listener');
    assert.equal(advertised[inter]?.host, 'kafka', 'brokers and containers reach each other as kafka:<internal port>');
    for (const [name, a] of Object.entries(advertised)) assert.equal(a.port, bound[name]?.port, `${name} advertises the port it binds`);
    const hostListener = Object.entries(advertised).find(([, a]) => a.host === 'localhost');
    assert.ok(hostListener, 'a listener is advertised as localhost for clients on the host');
    assert.ok(portMappings('kafka').some((p) => p.container === hostListener[1].port && p.host === hostListener[1].port), 'the host listener port is published');
    assert.equal(str(e.KAFKA_CONTROLLER_QUORUM_VOTERS, 'voters'), `${nodeId}@kafka:${bound[controller].port}`);
    for (const k of ['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR']) assert.equal(e[k], '1', k);
    const hc = list(map(svc('kafka').healthcheck, 'hc').test, 'test').join(' ');
    assert.match(hc, new RegExp(`kafka:${advertised[inter].port}|localhost:${hostListener[1].port}`), 'the healthcheck talks to a listener that exists');
  });

  test('Elasticsearch: single node, security off for local use, modest heap', () => {
    const e = env('elasticsearch');
    assert.equal(e['discovery.type'], 'single-node');
    assert.equal(e['xpack.security.enabled'], 'false');
    const opts = str(e.ES_JAVA_OPTS, 'ES_JAVA_OPTS');
    assert.equal(heapMb(opts, 'Xms'), heapMb(opts, 'Xmx'), 'Xms = Xmx, as Elastic recommends');
    assert.ok(heapMb(opts, 'Xmx') <= 1024, 'a modest heap for a laptop');
    assert.match(read('docker-compose.yml'), /security is OFF|security off/i, 'the file says security is off');
    assert.match(list(map(svc('elasticsearch').healthcheck, 'hc').test, 'test').join(' '), /localhost:9200\/_cluster\/health/);
  });

  test('HDFS: WebHDFS on 9870/9864, the DataNode under a fixed hostname, one RPC address', () => {
    const nn = env('namenode');
    const dn = env('datanode');
    assert.equal(list(svc('namenode').command, 'cmd').join(' '), 'hdfs namenode');
    assert.equal(list(svc('datanode').command, 'cmd').join(' '), 'hdfs datanode');
    assert.equal(nn['HDFS-SITE.XML_dfs.namenode.rpc-address'], dn['HDFS-SITE.XML_dfs.namenode.rpc-address']);
    assert.equal(nn['CORE-SITE.XML_fs.defaultFS'], dn['CORE-SITE.XML_fs.defaultFS']);
    assert.equal(nn['CORE-SITE.XML_fs.defaultFS'], `hdfs://${nn['HDFS-SITE.XML_dfs.namenode.rpc-address']}`);
    assert.ok(str(nn['HDFS-SITE.XML_dfs.namenode.rpc-address'], 'rpc').startsWith('namenode:'));
    assert.equal(dn['HDFS-SITE.XML_dfs.datanode.hostname'], svc('datanode').hostname, 'redirects name the DataNode by its fixed hostname');
    assert.match(str(nn['HDFS-SITE.XML_dfs.namenode.http-address'], 'http-address'), /:9870$/);
    assert.match(str(dn['HDFS-SITE.XML_dfs.datanode.http.address'], 'dn http'), /:9864$/);
    assert.ok(nn.ENSURE_NAMENODE_DIR, 'the NameNode formats itself on first start');
    assert.equal(nn['HDFS-SITE.XML_dfs.replication'], '1');
    assert.match(list(map(svc('namenode').healthcheck, 'hc').test, 'test').join(' '), /9870\/?.*webhdfs|9870/);
  });

  test('Redis 7: noeviction and append-only persistence', () => {
    const cmd = list(svc('redis').command, 'redis.command').map((x) => str(x, 'cmd'));
    assert.equal(cmd[0], 'redis-server');
    const at = (flag: string) => cmd[cmd.indexOf(flag) + 1];
    assert.equal(at('--maxmemory-policy'), 'noeviction');
    assert.equal(at('--appendonly'), 'yes');
    assert.equal(env('sluice').SLUICE_REDIS_URL, 'redis://redis:6379');
  });

  test('named volumes are declared, and every declared volume is used', () => {
    const declared = Object.keys(map(compose.volumes, 'volumes'));
    const used = new Set<string>();
    for (const [name, raw] of Object.entries(services)) {
      const vols = map(raw, name).volumes;
      if (vols === undefined) continue;
      for (const v of list(vols, `${name}.volumes`)) {
        const source = str(v, 'volume').split(':')[0];
        if (source.startsWith('.') || source.startsWith('/')) continue;
        assert.ok(declared.includes(source), `${name} uses undeclared volume ${source}`);
        used.add(source);
      }
    }
    assert.deepEqual([...used].sort(), [...declared].sort());
  });

  test('sluice is built from the project Dockerfile and listens on 8080', () => {
    const build = map(svc('sluice').build, 'sluice.build');
    assert.equal(build.context, '.');
    assert.ok(existsSync(ROOT + str(build.dockerfile, 'dockerfile')), 'the Dockerfile exists');
    assert.equal(env('sluice').SLUICE_HOST, '0.0.0.0');
    assert.equal(env('sluice').SLUICE_PORT, '8080');
    assert.match(list(map(svc('sluice').healthcheck, 'hc').test, 'test').join(' '), /127\.0\.0\.1:8080\/readyz/);
  });
});

describe('the canonical flow and the stack', () => {
  const flow = JSON.parse(read('flows/examples/kafka-to-elasticsearch-and-hdfs.json')) as { parameters: Record<string, string> };
  const p = flow.parameters;

  test('parameters default to the compose services, on ports those services serve inside the network', () => {
    const [kafkaHost, kafkaPort] = p['kafka.brokers'].split(':');
    assert.equal(kafkaHost, 'kafka');
    assert.ok(services[kafkaHost]);
    const advertised = listeners(str(env('kafka').KAFKA_ADVERTISED_LISTENERS, 'advertised'));
    assert.ok(Object.values(advertised).some((a) => a.host === 'kafka' && a.port === Number(kafkaPort)), `kafka advertises kafka:${kafkaPort}`);

    const es = new URL(p['es.url']);
    assert.ok(services[es.hostname], `es.url names service ${es.hostname}`);
    assert.ok(portMappings(es.hostname).some((m) => m.container === Number(es.port)), `${es.hostname} serves ${es.port}`);

    const nn = new URL(p['hdfs.namenode.url']);
    assert.ok(services[nn.hostname], `hdfs.namenode.url names service ${nn.hostname}`);
    assert.match(str(env(nn.hostname)['HDFS-SITE.XML_dfs.namenode.http-address'], 'http-address'), new RegExp(`:${nn.port}$`));
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = read('Dockerfile');
  test('multi-stage, non-root, production dependencies, UI built when the script exists', () => {
    assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2, 'multi-stage');
    assert.match(dockerfile, /^FROM node:20[\w.-]* AS build$/m);
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /npm run build:ui --if-present/);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    assert.ok(users.length > 0 && users.at(-1) !== 'root' && users.at(-1) !== '0', 'runs as a non-root user');
    assert.match(dockerfile, /^HEALTHCHECK /m);
    assert.match(dockerfile, /^CMD \["node", "bin\/sluice\.js", "serve"\]$/m);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies?: Record<string, string> };
    assert.ok(pkg.dependencies.tsx, 'tsx is a runtime dependency (Sluice runs its TypeScript through it)');
    for (const dir of ['bin', 'server', 'processors']) assert.match(dockerfile, new RegExp(`^COPY ${dir} `, 'm'), `the image has ${dir}/`);
  });

  test('.dockerignore keeps node_modules and local data out of the build context', () => {
    const ignore = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'data', '.git']) assert.ok(ignore.includes(entry), entry);
  });
});
