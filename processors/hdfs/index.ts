// HDFS over WebHDFS: the connection service and PutHDFS. The lead wires these into processors/index.ts.
import type { ProcessorDefinition } from '../../server/sdk/definition.ts';
import type { ControllerServiceDefinition } from '../../server/sdk/services.ts';
import { HDFSConnectionService } from './connection-service.ts';
import { PutHDFS } from './put-hdfs.ts';

export const hdfsProcessors: ProcessorDefinition<any>[] = [PutHDFS];
export const hdfsServices: ControllerServiceDefinition<any>[] = [HDFSConnectionService];

export { HDFSConnectionService, PutHDFS };
export { WebHdfsClient } from './webhdfs-client.ts';
