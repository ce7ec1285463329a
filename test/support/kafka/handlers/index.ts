// API key -> handler.
import { ApiKey } from '../protocol/api-keys.ts';
import { handleApiVersions, handleSaslHandshake } from './connection.ts';
import { handleFetch } from './fetch.ts';
import {
  handleDeleteGroups,
  handleDescribeGroups,
  handleFindCoordinator,
  handleHeartbeat,
  handleJoinGroup,
  handleLeaveGroup,
  handleListGroups,
  handleSyncGroup,
} from './groups.ts';
import { handleListOffsets } from './list-offsets.ts';
import { handleOffsetCommit, handleOffsetFetch } from './offsets.ts';
import { handleProduce } from './produce.ts';
import { handleCreateTopics, handleDeleteTopics, handleMetadata } from './topics.ts';
import { handleAddOffsetsToTxn, handleAddPartitionsToTxn, handleEndTxn, handleInitProducerId, handleTxnOffsetCommit } from './transactions.ts';
import type { Handler } from './types.ts';

export const handlers: Record<number, Handler> = {
  [ApiKey.Produce]: handleProduce,
  [ApiKey.Fetch]: handleFetch,
  [ApiKey.ListOffsets]: handleListOffsets,
  [ApiKey.Metadata]: handleMetadata,
  [ApiKey.OffsetCommit]: handleOffsetCommit,
  [ApiKey.OffsetFetch]: handleOffsetFetch,
  [ApiKey.FindCoordinator]: handleFindCoordinator,
  [ApiKey.JoinGroup]: handleJoinGroup,
  [ApiKey.Heartbeat]: handleHeartbeat,
  [ApiKey.LeaveGroup]: handleLeaveGroup,
  [ApiKey.SyncGroup]: handleSyncGroup,
  [ApiKey.DescribeGroups]: handleDescribeGroups,
  [ApiKey.ListGroups]: handleListGroups,
  [ApiKey.SaslHandshake]: handleSaslHandshake,
  [ApiKey.ApiVersions]: handleApiVersions,
  [ApiKey.CreateTopics]: handleCreateTopics,
  [ApiKey.DeleteTopics]: handleDeleteTopics,
  [ApiKey.InitProducerId]: handleInitProducerId,
  [ApiKey.AddPartitionsToTxn]: handleAddPartitionsToTxn,
  [ApiKey.AddOffsetsToTxn]: handleAddOffsetsToTxn,
  [ApiKey.EndTxn]: handleEndTxn,
  [ApiKey.TxnOffsetCommit]: handleTxnOffsetCommit,
  [ApiKey.DeleteGroups]: handleDeleteGroups,
};
