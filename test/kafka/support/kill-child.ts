// Child process of the Kafka kill test: ConsumeKafka -> UpdateAttribute -> AppendLines, where
// AppendLines writes each FlowFile's content as a line to a file before acknowledging it. Runs
// until killed (SIGKILL by the test) or asked to stop (SIGTERM).
//   node --import tsx kill-child.ts <brokers> <topic> <group> <out-file> [session-timeout-ms]
import { closeSync, openSync, writeSync } from 'node:fs';
import { defineProcessor } from '../../../server/sdk/definition.ts';
import { ProcessorRegistry } from '../../../server/sdk/registry.ts';
import { ServiceRegistry } from '../../../server/sdk/services.ts';
import { FlowRuntime } from '../../../server/engine/flow-runtime.ts';
import { validateFlow, formatProblems } from '../../../server/flow/validate.ts';
import { UpdateAttribute } from '../../../processors/standard/update-attribute.ts';
import { ConsumeKafka } from '../../../processors/kafka/consume-kafka.ts';
import { kafkaServices } from '../../../processors/kafka/index.ts';

const [brokers, topic, group, outFile, sessionTimeout = '2000'] = process.argv.slice(2);

const fd = openSync(outFile, 'a');
const AppendLines = defineProcessor({
  type: 'AppendLines',
  description: 'test: appends each FlowFile content and its kafka.offset as a line',
  tags: ['test'],
  inputRequirement: 'required',
  properties: [],
  relationships: [{ name: 'success', description: 'written' }],
  onTrigger(_ctx, session) {
    const batch = session.get(5000);
    if (batch.length === 0) return;
    const lines = batch.map((ff) => `${session.readText(ff)}\n`).join('');
    writeSync(fd, lines);
    session.transfer(batch, 'success');
  },
});

// Only the processors this flow needs, so that a restart is quick.
const registry = new ProcessorRegistry([ConsumeKafka, UpdateAttribute, AppendLines]);
const services = new ServiceRegistry(kafkaServices);
const { flow, problems } = validateFlow({
  formatVersion: 1, name: 'kafka-kill',
  controllerServices: [{ id: 'kafka', type: 'KafkaConnectionService', properties: { 'Bootstrap Servers': brokers, 'Client ID': 'kill-child' } }],
  processors: [
    {
      id: 'consume', type: 'ConsumeKafka',
      properties: {
        'Kafka Connection Service': 'kafka', 'Group ID': group, Topics: topic, 'Auto Offset Reset': 'earliest', 'Max Uncommitted Time': '250 ms',
        'session.timeout.ms': sessionTimeout, 'heartbeat.interval.ms': '300', 'max.poll.interval.ms': String(Number(sessionTimeout) * 2), 'fetch.max.wait.ms': '100',
      },
      scheduling: { yieldDuration: '20 ms' },
    },
    { id: 'update', type: 'UpdateAttribute', properties: { 'consumed.from': '${kafka.topic}-${kafka.partition}@${kafka.offset}' } },
    { id: 'append', type: 'AppendLines', properties: {}, autoTerminate: ['success'] },
  ],
  connections: [
    { id: 'c1', source: 'consume', relationships: ['success'], destination: 'update' },
    { id: 'c2', source: 'update', relationships: ['success'], destination: 'append' },
  ],
}, registry, { services });
if (!flow) throw new Error(formatProblems(problems));
const rt = new FlowRuntime('kafka-kill', flow, { registry, services });

process.on('SIGTERM', () => {
  void rt.close().then(() => { closeSync(fd); process.exit(0); });
});
await rt.start();
process.stdout.write('started\n');
