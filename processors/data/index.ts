// Routing, attribute, JSON and merge processors.
import type { ProcessorDefinition } from '../../server/sdk/definition.ts';
import { RouteOnAttribute } from './route-on-attribute.ts';
import { AttributesToJSON } from './attributes-to-json.ts';
import { EvaluateJsonPath } from './evaluate-json-path.ts';
import { SplitJson } from './split-json.ts';
import { MergeContent } from './merge-content.ts';

export const dataProcessors: ProcessorDefinition<any>[] = [
  RouteOnAttribute,
  AttributesToJSON,
  EvaluateJsonPath,
  SplitJson,
  MergeContent,
];
