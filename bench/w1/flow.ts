// The W1 flow as a Sluice flow definition: GetFile → SplitText → ExtractText → AttributesToJSON → MergeContent → PutFile.
export const ACCESS_LOG_REGEX = '^(?<ip>\\S+) \\S+ \\S+ \\[(?<timestamp>[^\\]]+)\\] "(?<method>\\S+) (?<path>\\S+)[^"]*" (?<status>\\d{3}) (?<bytes>\\d+|-)';

export function w1Flow(inputDir: string, outputDir: string) {
  return {
    formatVersion: 1 as const,
    name: 'W1 split and extract',
    processors: [
      { id: 'get', type: 'GetFile', properties: { 'Input Directory': inputDir } },
      { id: 'split', type: 'SplitText', properties: { 'Line Split Count': '1', 'Remove Trailing Newlines': 'true' }, autoTerminate: ['original', 'failure'] },
      { id: 'extract', type: 'ExtractText', properties: { access: ACCESS_LOG_REGEX, 'Enable Named Groups': 'true' }, autoTerminate: ['unmatched'] },
      { id: 'json', type: 'AttributesToJSON', properties: { 'Attributes Regular Expression': 'access\\.(ip|timestamp|method|path|status|bytes)', Destination: 'flowfile-content', 'Include Core Attributes': 'false' }, autoTerminate: ['failure'] },
      { id: 'name', type: 'UpdateAttribute', properties: { filename: '${uuid}.jsonl' } },
      { id: 'merge', type: 'MergeContent', properties: { 'Minimum Number of Entries': '10000', 'Maximum Number of Entries': '10000', 'Delimiter Strategy': 'Text', Demarcator: '\n', 'Max Bin Age': '30 sec' }, autoTerminate: ['original', 'failure'] },
      { id: 'put', type: 'PutFile', properties: { Directory: outputDir, 'Conflict Resolution Strategy': 'replace' }, autoTerminate: ['success', 'failure'] },
    ],
    connections: [
      { id: 'c1', source: 'get', relationships: ['success'], destination: 'split' },
      { id: 'c2', source: 'split', relationships: ['splits'], destination: 'extract' },
      { id: 'c3', source: 'extract', relationships: ['matched'], destination: 'json' },
      { id: 'c4', source: 'json', relationships: ['success'], destination: 'merge' },
      { id: 'c5', source: 'merge', relationships: ['merged'], destination: 'name' },
      { id: 'c6', source: 'name', relationships: ['success'], destination: 'put' },
    ],
  };
}
