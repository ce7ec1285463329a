// Every processor type, searchable and filterable by tag (the spirit of NiFi's Add Processor dialog).
// Drag an entry onto the canvas, or press its Add button to place it in the middle of the view.
import { useDeferredValue, useMemo, useState } from 'react';
import { useEditor, addProcessor } from '../store';
import { PALETTE_MIME, viewportCenter } from '../canvas/Canvas';

export function Palette() {
  const types = useEditor((s) => s.types);
  const hasFlow = useEditor((s) => s.flowId !== null);
  const [query, setQuery] = useState('');
  const [tags, setTags] = useState<string[]>([]);
  const q = useDeferredValue(query.trim().toLowerCase());

  const allTags = useMemo(() => {
    const count = new Map<string, number>();
    for (const t of types) for (const tag of t.tags) count.set(tag, (count.get(tag) ?? 0) + 1);
    return [...count.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t]) => t);
  }, [types]);

  const shown = useMemo(() => types.filter((t) => {
    if (tags.length && !tags.every((tag) => t.tags.includes(tag))) return false;
    if (!q) return true;
    return t.type.toLowerCase().includes(q) || t.description.toLowerCase().includes(q) || t.tags.some((tag) => tag.toLowerCase().includes(q));
  }), [types, tags, q]);

  const toggle = (tag: string) => setTags((cur) => (cur.includes(tag) ? cur.filter((x) => x !== tag) : [...cur, tag]));

  return (
    <section className="palette" aria-labelledby="palette-title">
      <h2 id="palette-title" className="panel-title">Processors</h2>
      <input
        type="search"
        className="palette-search"
        placeholder="Search type, description, tag…"
        aria-label="Search processor types"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="tag-cloud" role="group" aria-label="Filter by tag">
        {allTags.slice(0, 40).map((tag) => (
          <button key={tag} type="button" className={`tag ${tags.includes(tag) ? 'tag-on' : ''}`} aria-pressed={tags.includes(tag)} onClick={() => toggle(tag)}>{tag}</button>
        ))}
        {tags.length > 0 && <button type="button" className="tag tag-clear" onClick={() => setTags([])}>Clear tags</button>}
      </div>
      <p className="muted palette-count" aria-live="polite">{shown.length} of {types.length} types</p>
      <ul className="palette-list">
        {shown.map((t) => (
          <li
            key={t.type}
            className="palette-item"
            draggable={hasFlow}
            data-testid="palette-item"
            data-type={t.type}
            onDragStart={(e) => {
              e.dataTransfer.setData(PALETTE_MIME, t.type);
              e.dataTransfer.setData('text/plain', t.type);
              e.dataTransfer.effectAllowed = 'copy';
            }}
            title={`${t.description}\n\nDrag onto the canvas to add.`}
          >
            <div className="palette-item-head">
              <span className="palette-type">{t.type}</span>
              <button type="button" className="small" disabled={!hasFlow} aria-label={`Add ${t.type} to the canvas`} onClick={() => addProcessor(t.type, viewportCenter())}>Add</button>
            </div>
            <p className="palette-desc">{t.description}</p>
            <div className="palette-tags">{t.tags.map((tag) => <span key={tag} className="mini-tag">{tag}</span>)}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
