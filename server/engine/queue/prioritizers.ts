// Queue prioritizers as NiFi names them. FIFO needs none: the in-memory queue uses a ring buffer.
import type { FlowFile } from '../flowfile.ts';

export type Prioritizer = (a: FlowFile, b: FlowFile) => number;

const byPriorityAttribute: Prioritizer = (a, b) => {
  const pa = a.attributeMap.get('priority');
  const pb = b.attributeMap.get('priority');
  if (pa === pb) return 0;
  if (pa === undefined) return 1;
  if (pb === undefined) return -1;
  const na = Number(pa);
  const nb = Number(pb);
  const aNum = pa.trim() !== '' && Number.isFinite(na);
  const bNum = pb.trim() !== '' && Number.isFinite(nb);
  if (aNum && bNum) return na - nb;
  if (aNum) return -1;
  if (bNum) return 1;
  return pa < pb ? -1 : 1;
};

export const PRIORITIZERS: Record<string, Prioritizer> = {
  FirstInFirstOutPrioritizer: () => 0,
  OldestFlowFileFirstPrioritizer: (a, b) => a.lineage.startDate - b.lineage.startDate || a.entryDate - b.entryDate,
  NewestFlowFileFirstPrioritizer: (a, b) => b.lineage.startDate - a.lineage.startDate || b.entryDate - a.entryDate,
  PriorityAttributePrioritizer: byPriorityAttribute,
};

export const PRIORITIZER_NAMES = Object.keys(PRIORITIZERS);

/** Combines prioritizers in order; ties fall back to arrival order (sequence numbers). */
export function combinePrioritizers(names: readonly string[]): Prioritizer | null {
  const list = names.filter((n) => n !== 'FirstInFirstOutPrioritizer').map((n) => {
    const p = PRIORITIZERS[n];
    if (!p) throw new Error(`unknown prioritizer "${n}"; expected one of ${PRIORITIZER_NAMES.join(', ')}`);
    return p;
  });
  if (list.length === 0) return null;
  return (a, b) => {
    for (const p of list) { const r = p(a, b); if (r !== 0) return r; }
    return 0;
  };
}
