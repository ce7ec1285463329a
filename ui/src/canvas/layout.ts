// Auto-layout with elkjs (layered, top to bottom), loaded on first use.
import { useEditor, commit } from '../store';

export async function autoLayout(): Promise<void> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const { nodes, flow } = useEditor.getState();
  if (!flow || !nodes.length) return;
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.spacing.nodeNode': '48',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.spacing.componentComponent': '80',
    },
    children: nodes.map((n) => ({ id: n.id, width: n.measured?.width ?? 240, height: n.measured?.height ?? 130 })),
    edges: flow.connections.filter((c) => c.source !== c.destination).map((c) => ({ id: c.id, sources: [c.source], targets: [c.destination] })),
  };
  const result = await elk.layout(graph);
  const pos = new Map((result.children ?? []).map((c) => [c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }]));
  const current = useEditor.getState().flow;
  if (!current) return;
  commit({ ...current, processors: current.processors.map((p) => (pos.has(p.id) ? { ...p, position: pos.get(p.id)! } : p)) });
  useEditor.setState({ fitRequest: useEditor.getState().fitRequest + 1 });
}
