// Message layouts for APIs whose JSON definitions are not in shared/kafka-protocol.
// Written here in the same shape as Kafka's JSON schema, for the old (non-flexible) versions only.
// Layout facts were read from the request/response encoders of kafkajs 2.2.4 (node_modules),
// which speaks exactly these versions; nothing was copied.
import type { MessageDef } from './definitions.ts';

const str = (name: string, extra: object = {}) => ({ name, type: 'string', versions: '0+', ...extra });
const i16 = (name: string) => ({ name, type: 'int16', versions: '0+' });
const i32 = (name: string) => ({ name, type: 'int32', versions: '0+' });
const i64 = (name: string) => ({ name, type: 'int64', versions: '0+' });

export const extraDefinitions: MessageDef[] = [
  // ---- ListGroups (16): v0-2; v1 adds ThrottleTimeMs to the response
  { apiKey: 16, type: 'request', name: 'ListGroupsRequest', validVersions: '0-2', flexibleVersions: 'none', fields: [] },
  {
    apiKey: 16,
    type: 'response',
    name: 'ListGroupsResponse',
    validVersions: '0-2',
    flexibleVersions: 'none',
    fields: [
      { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
      i16('ErrorCode'),
      { name: 'Groups', type: '[]ListedGroup', versions: '0+', fields: [str('GroupId'), str('ProtocolType')] },
    ],
  },
  // ---- AddPartitionsToTxn (24): v0-1 identical on the wire
  {
    apiKey: 24,
    type: 'request',
    name: 'AddPartitionsToTxnRequest',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [
      str('TransactionalId'),
      i64('ProducerId'),
      i16('ProducerEpoch'),
      { name: 'Topics', type: '[]AddPartitionsToTxnTopic', versions: '0+', fields: [str('Name'), { name: 'Partitions', type: '[]int32', versions: '0+' }] },
    ],
  },
  {
    apiKey: 24,
    type: 'response',
    name: 'AddPartitionsToTxnResponse',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [
      i32('ThrottleTimeMs'),
      {
        name: 'Results',
        type: '[]AddPartitionsToTxnTopicResult',
        versions: '0+',
        fields: [str('Name'), { name: 'Results', type: '[]AddPartitionsToTxnPartitionResult', versions: '0+', fields: [i32('PartitionIndex'), i16('ErrorCode')] }],
      },
    ],
  },
  // ---- AddOffsetsToTxn (25)
  {
    apiKey: 25,
    type: 'request',
    name: 'AddOffsetsToTxnRequest',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [str('TransactionalId'), i64('ProducerId'), i16('ProducerEpoch'), str('GroupId')],
  },
  { apiKey: 25, type: 'response', name: 'AddOffsetsToTxnResponse', validVersions: '0-1', flexibleVersions: 'none', fields: [i32('ThrottleTimeMs'), i16('ErrorCode')] },
  // ---- EndTxn (26)
  {
    apiKey: 26,
    type: 'request',
    name: 'EndTxnRequest',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [str('TransactionalId'), i64('ProducerId'), i16('ProducerEpoch'), { name: 'Committed', type: 'bool', versions: '0+' }],
  },
  { apiKey: 26, type: 'response', name: 'EndTxnResponse', validVersions: '0-1', flexibleVersions: 'none', fields: [i32('ThrottleTimeMs'), i16('ErrorCode')] },
  // ---- TxnOffsetCommit (28)
  {
    apiKey: 28,
    type: 'request',
    name: 'TxnOffsetCommitRequest',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [
      str('TransactionalId'),
      str('GroupId'),
      i64('ProducerId'),
      i16('ProducerEpoch'),
      {
        name: 'Topics',
        type: '[]TxnOffsetCommitRequestTopic',
        versions: '0+',
        fields: [
          str('Name'),
          {
            name: 'Partitions',
            type: '[]TxnOffsetCommitRequestPartition',
            versions: '0+',
            fields: [i32('PartitionIndex'), i64('CommittedOffset'), str('CommittedMetadata', { nullableVersions: '0+' })],
          },
        ],
      },
    ],
  },
  {
    apiKey: 28,
    type: 'response',
    name: 'TxnOffsetCommitResponse',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [
      i32('ThrottleTimeMs'),
      {
        name: 'Topics',
        type: '[]TxnOffsetCommitResponseTopic',
        versions: '0+',
        fields: [str('Name'), { name: 'Partitions', type: '[]TxnOffsetCommitResponsePartition', versions: '0+', fields: [i32('PartitionIndex'), i16('ErrorCode')] }],
      },
    ],
  },
  // ---- DeleteGroups (42): v0-1 identical on the wire
  {
    apiKey: 42,
    type: 'request',
    name: 'DeleteGroupsRequest',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [{ name: 'GroupsNames', type: '[]string', versions: '0+' }],
  },
  {
    apiKey: 42,
    type: 'response',
    name: 'DeleteGroupsResponse',
    validVersions: '0-1',
    flexibleVersions: 'none',
    fields: [i32('ThrottleTimeMs'), { name: 'Results', type: '[]DeletableGroupResult', versions: '0+', fields: [str('GroupId'), i16('ErrorCode')] }],
  },
];
