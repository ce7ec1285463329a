// Text processors: SplitText, ExtractText, ReplaceText.
import type { ProcessorDefinition } from '../../server/sdk/definition.ts';
import { SplitText } from './split-text.ts';
import { ExtractText } from './extract-text.ts';
import { ReplaceText } from './replace-text.ts';

export const textProcessors: ProcessorDefinition<any>[] = [SplitText, ExtractText, ReplaceText];
