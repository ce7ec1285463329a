// API keys the test broker implements, and the version range it advertises for each
// (clients negotiate down to min(their max, our max)).
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DeleteGroups: 42,
} as const;

export const API_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ApiKey).map(([k, v]) => [v, k]));

/**
 * Advertised [min, max] versions. Limits:
 * - Produce >= 3 / Fetch >= 4: only RecordBatch v2 (magic 2) is stored and served.
 * - Fetch <= 12, Metadata <= 12: topic names (Fetch 13+ addresses topics by id only).
 * - OffsetCommit <= 8, OffsetFetch <= 8: v9 belongs to the KIP-848 consumer protocol.
 * - InitProducerId <= 4: v5 is transactions v2 (KIP-890).
 */
export const SUPPORTED_VERSIONS: Record<number, [number, number]> = {
  [ApiKey.Produce]: [3, 9],
  [ApiKey.Fetch]: [4, 12],
  [ApiKey.ListOffsets]: [0, 7],
  [ApiKey.Metadata]: [0, 12],
  [ApiKey.OffsetCommit]: [0, 8],
  [ApiKey.OffsetFetch]: [0, 8],
  [ApiKey.FindCoordinator]: [0, 4],
  [ApiKey.JoinGroup]: [0, 9],
  [ApiKey.Heartbeat]: [0, 4],
  [ApiKey.LeaveGroup]: [0, 5],
  [ApiKey.SyncGroup]: [0, 5],
  [ApiKey.DescribeGroups]: [0, 5],
  [ApiKey.ListGroups]: [0, 2],
  [ApiKey.SaslHandshake]: [0, 1],
  [ApiKey.ApiVersions]: [0, 3],
  [ApiKey.CreateTopics]: [0, 7],
  [ApiKey.DeleteTopics]: [0, 6],
  [ApiKey.InitProducerId]: [0, 4],
  [ApiKey.AddPartitionsToTxn]: [0, 1],
  [ApiKey.AddOffsetsToTxn]: [0, 1],
  [ApiKey.EndTxn]: [0, 1],
  [ApiKey.TxnOffsetCommit]: [0, 1],
  [ApiKey.DeleteGroups]: [0, 1],
};
