// The flow canvas: React Flow with processor nodes and queue edges, palette drops, connection drags
// (which open the connection dialog), context menus, snapping, minimap and zoom controls.
import { useCallback, useEffect, useRef } from 'react';
import {
  Background, BackgroundVariant, Controls, MarkerType, MiniMap, ReactFlow, useReactFlow,
  type Connection, type DefaultEdgeOptions, type Viewport, type EdgeTypes, type NodeTypes, type IsValidConnection,
} from '@xyflow/react';
import { ProcessorNode } from './ProcessorNode';
import { QueueEdgeComponent } from './QueueEdge';
import { LOD_ZOOM } from './lod';
import {
  useEditor, onNodesChange, onEdgesChange, commitPositions, addProcessor, setDialog, setMenu, setPrepareViewport,
  type ProcNode, type QueueEdge,
} from '../store';

const nodeTypes: NodeTypes = { processor: ProcessorNode };
const edgeTypes: EdgeTypes = { queue: QueueEdgeComponent };
const defaultEdgeOptions: DefaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } };
const SNAP: [number, number] = [16, 16];
const MIME = 'application/x-sluice-processor-type';

export const PALETTE_MIME = MIME;

/** The React Flow instance, for code outside the canvas (palette "Add" buttons, fit view). */
export let flowInstance: ReturnType<typeof useReactFlow<ProcNode, QueueEdge>> | null = null;

export function viewportCenter(): { x: number; y: number } {
  const el = document.querySelector('.react-flow');
  if (!flowInstance || !el) return { x: 0, y: 0 };
  const r = el.getBoundingClientRect();
  return flowInstance.screenToFlowPosition({ x: r.left + r.width / 2 - 120, y: r.top + r.height / 2 - 60 });
}

const minimapColor = (n: ProcNode) => (n.data.proc.state === 'DISABLED' ? '#9aa3ad' : '#5b7db1');

export function Canvas() {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const snap = useEditor((s) => s.snapToGrid);
  const fitRequest = useEditor((s) => s.fitRequest);
  const flowId = useEditor((s) => s.flowId);
  const rf = useReactFlow<ProcNode, QueueEdge>();
  const wrapper = useRef<HTMLDivElement>(null);

  useEffect(() => { flowInstance = rf; return () => { flowInstance = null; }; }, [rf]);

  // Frame a flow from its stored positions before its nodes render (the exact fit follows once they
  // are measured), so a large flow renders straight into its zoomed-out level of detail.
  useEffect(() => {
    setPrepareViewport((flow) => {
      const el = wrapper.current;
      if (!el || !flow.processors.length) return;
      let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
      for (const p of flow.processors) {
        const { x, y } = p.position ?? { x: 0, y: 0 };
        x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 240); y1 = Math.max(y1, y + 130);
      }
      const w = el.clientWidth || 800;
      const h = el.clientHeight || 600;
      const zoom = Math.max(0.05, Math.min(1.2, Math.min(w / (x1 - x0), h / (y1 - y0)) / 1.3));
      const vp = { x: w / 2 - ((x0 + x1) / 2) * zoom, y: h / 2 - ((y0 + y1) / 2) * zoom, zoom };
      el.classList.toggle('zoomed-out', zoom < LOD_ZOOM);
      void rf.setViewport(vp);
    });
    return () => setPrepareViewport(null);
  }, [rf]);

  useEffect(() => {
    if (!fitRequest) return;
    // After the nodes are measured.
    const t = setTimeout(() => { if (rf.getNodes().length) void rf.fitView({ padding: 0.15, maxZoom: 1.2, duration: 0 }); }, 50);
    return () => clearTimeout(t);
  }, [fitRequest, rf]);

  const onConnect = useCallback((c: Connection) => {
    if (!c.source || !c.target) return;
    setDialog({ kind: 'connection', source: c.source, destination: c.target, relationship: c.sourceHandle ?? undefined });
  }, []);

  const isValidConnection: IsValidConnection<QueueEdge> = useCallback((c) => {
    const s = useEditor.getState();
    const target = s.flow?.processors.find((p) => p.id === c.target);
    if (!target) return false;
    return s.typeMap[target.type]?.inputRequirement !== 'forbidden';
  }, []);

  const onDragOver = useCallback((e: React.DragEvent) => {
    if (!e.dataTransfer.types.includes(MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback((e: React.DragEvent) => {
    const type = e.dataTransfer.getData(MIME);
    if (!type) return;
    e.preventDefault();
    const pos = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    addProcessor(type, { x: pos.x - 120, y: pos.y - 30 });
  }, [rf]);

  const onNodeContextMenu = useCallback((e: React.MouseEvent, node: ProcNode) => {
    e.preventDefault();
    setMenu({ kind: 'node', id: node.id, x: e.clientX, y: e.clientY });
  }, []);
  const onEdgeContextMenu = useCallback((e: React.MouseEvent, edge: QueueEdge) => {
    e.preventDefault();
    setMenu({ kind: 'edge', id: edge.id, x: e.clientX, y: e.clientY });
  }, []);
  const onEdgeClick = useCallback((e: React.MouseEvent, edge: QueueEdge) => {
    setMenu({ kind: 'edge', id: edge.id, x: e.clientX, y: e.clientY });
  }, []);
  const onNodeDoubleClick = useCallback((_e: React.MouseEvent, node: ProcNode) => setDialog({ kind: 'configure', id: node.id }), []);
  const onPaneClick = useCallback(() => setMenu(null), []);
  // While dragging to pan, the viewport is its own compositor layer (moved, not repainted) and nothing
  // under the pointer is hit-tested.
  const onMoveStart = useCallback((e: MouseEvent | TouchEvent | null) => {
    setMenu(null);
    // (Not for wheel zooms: a layer that changes scale is rasterized again at every step anyway.)
    if (e && e.type !== 'wheel') wrapper.current?.classList.add('is-moving');
  }, []);
  const onMoveEnd = useCallback(() => { wrapper.current?.classList.remove('is-moving'); }, []);
  // Level of detail: zoomed far out, counters and queue labels are too small to read and are not
  // painted (a class on the wrapper, so no component re-renders).
  const onMove = useCallback((_e: unknown, vp: Viewport) => {
    wrapper.current?.classList.toggle('zoomed-out', vp.zoom < LOD_ZOOM);
  }, []);
  const onInit = useCallback((inst: { getZoom(): number }) => {
    wrapper.current?.classList.toggle('zoomed-out', inst.getZoom() < LOD_ZOOM);
  }, []);

  if (!flowId) {
    return <div className="canvas-empty"><p>No flow is open. Create one with <strong>New flow</strong> or import a flow file.</p></div>;
  }

  return (
    <div className="canvas" ref={wrapper} onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<ProcNode, QueueEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onNodeDragStop={commitPositions}
        onSelectionDragStop={commitPositions}
        onNodeContextMenu={onNodeContextMenu}
        onNodeDoubleClick={onNodeDoubleClick}
        onEdgeClick={onEdgeClick}
        onEdgeContextMenu={onEdgeContextMenu}
        onPaneClick={onPaneClick}
        onMoveStart={onMoveStart}
        onMoveEnd={onMoveEnd}
        onMove={onMove}
        onInit={onInit}
        snapToGrid={snap}
        snapGrid={SNAP}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control', 'Shift']}
        minZoom={0.05}
        maxZoom={2.5}
        connectionRadius={28}
        aria-label="Flow canvas"
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
        <MiniMap<ProcNode> pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={2} ariaLabel="Minimap" />
        <Controls aria-label="Zoom controls" />
      </ReactFlow>
    </div>
  );
}
