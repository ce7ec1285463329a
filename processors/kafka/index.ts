// Kafka processors and the connection service they share.
import type { ProcessorDefinition } from '../../server/sdk/definition.ts';
import type { ControllerServiceDefinition } from '../../server/sdk/services.ts';
import { ConsumeKafka } from './consume-kafka.ts';
import { PublishKafka } from './publish-kafka.ts';
import { KafkaConnectionService, Kafka3ConnectionService } from './connection-service.ts';

export { ConsumeKafka } from './consume-kafka.ts';
export { PublishKafka } from './publish-kafka.ts';
export { KafkaConnectionService, Kafka3ConnectionService, KafkaConnection, KAFKA_CONNECTION_SERVICE } from './connection-service.ts';
export { murmur2, partitionForKey, createJavaCompatiblePartitioner } from './partitioner.ts';

export const kafkaProcessors: ProcessorDefinition<any>[] = [ConsumeKafka, PublishKafka];

export const kafkaServices: ControllerServiceDefinition<any>[] = [KafkaConnectionService, Kafka3ConnectionService];
