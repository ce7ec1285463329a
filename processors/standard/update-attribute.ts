// UpdateAttribute: sets attributes from dynamic properties (with Expression Language) and deletes
// attributes matching a regular expression. All expressions see the attributes as they came in.
import { defineProcessor } from '../../server/sdk/definition.ts';
import { compileJavaPattern } from './java-pattern.ts';

interface State { deletePattern: RegExp | null }

export const UpdateAttribute = defineProcessor<State>({
  type: 'UpdateAttribute',
  description: 'Updates the Attributes for a FlowFile by using the Attribute Expression Language and/or deletes the attributes based on a regular expression',
  tags: ['attributes', 'modification', 'update', 'delete', 'Attribute Expression Language', 'state'],
  inputRequirement: 'required',
  properties: [
    { name: 'Delete Attributes Expression', description: 'Regular expression for attributes to be deleted from FlowFiles. Existing attributes that match will be deleted regardless of whether they are updated by this processor.', expressionLanguage: 'environment' },
  ],
  relationships: [{ name: 'success', description: 'All successful FlowFiles are routed to this relationship' }],
  dynamicProperties: { name: 'A FlowFile attribute to update', value: 'The value to set it to', description: 'Updates a FlowFile attribute specified by the Dynamic Property\'s key with the value specified by the Dynamic Property\'s value', expressionLanguage: 'flowfile' },
  writesAttributes: [{ name: 'See additional details', description: 'This processor may write or remove zero or more attributes as described in additional details' }],
  customValidate(ctx) {
    const v = ctx.value('Delete Attributes Expression');
    if (v === undefined || v.includes('${')) return [];
    try { compileJavaPattern(v, true); return []; } catch (e) { return [{ property: 'Delete Attributes Expression', message: `is not a valid regular expression: ${(e as Error).message}` }]; }
  },
  initialState: () => ({ deletePattern: null }),
  onScheduled(ctx) {
    const v = ctx.property('Delete Attributes Expression').evaluate();
    ctx.state.deletePattern = v ? compileJavaPattern(v, true) : null;
  },
  onTrigger(ctx, session) {
    const flowFiles = session.get(1000);
    const dynamic = [...ctx.dynamicProperties];
    const del = ctx.state.deletePattern;
    // Static values are the same for every FlowFile: compute the change set once.
    const staticChanges: Record<string, string> = {};
    const perFlowFile: typeof dynamic = [];
    for (const [name, value] of dynamic) {
      if (value.isExpression) perFlowFile.push([name, value]);
      else staticChanges[name] = value.evaluate() ?? '';
    }
    if (perFlowFile.length === 0 && !del && Object.keys(staticChanges).length === 0) {
      session.transfer(flowFiles, 'success');
      return;
    }
    for (const ff of flowFiles) {
      let changes: Record<string, string | undefined> = staticChanges;
      if (perFlowFile.length) {
        changes = { ...staticChanges };
        for (const [name, value] of perFlowFile) changes[name] = value.evaluate(ff) ?? '';
      }
      if (del) {
        if (changes === staticChanges) changes = { ...staticChanges };
        for (const name of [...ff.attributeNames(), ...Object.keys(changes)]) if (name !== 'uuid' && del.test(name)) changes[name] = undefined;
      }
      session.transfer(session.putAllAttributes(ff, changes), 'success');
    }
  },
});
