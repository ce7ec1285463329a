// Bulletins of the open flow, newest first; the level is written out, not only coloured.
import { useMemo, useState } from 'react';
import { useLive } from '../live';
import { useEditor } from '../store';
import { formatTime } from '../format';
import type { BulletinLevel } from '../types';

const LEVELS: BulletinLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR'];

export function BulletinsPanel() {
  const bulletins = useLive((s) => s.bulletins);
  const [min, setMin] = useState<BulletinLevel>('DEBUG');
  const shown = useMemo(() => bulletins.filter((b) => LEVELS.indexOf(b.level) >= LEVELS.indexOf(min)).slice().reverse(), [bulletins, min]);

  const select = (pid: string) => {
    useEditor.setState({ nodes: useEditor.getState().nodes.map((n) => (n.id === pid ? (n.selected ? n : { ...n, selected: true }) : n.selected ? { ...n, selected: false } : n)) });
  };

  return (
    <section className="bulletins" aria-labelledby="bulletins-title">
      <header className="bulletins-head">
        <h2 id="bulletins-title" className="panel-title">Bulletins</h2>
        <label className="inline">Minimum level{' '}
          <select value={min} onChange={(e) => setMin(e.target.value as BulletinLevel)}>
            {LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
        </label>
        <button type="button" className="icon-button" aria-label="Close bulletins" onClick={() => useEditor.setState({ showBulletins: false })}>✕</button>
      </header>
      {shown.length === 0 ? <p className="muted pad">No bulletins.</p> : (
        <ol className="bulletin-list" aria-live="polite">
          {shown.map((b) => (
            <li key={`${b.id}-${b.time}`} className={`bulletin lvl-${b.level.toLowerCase()}`}>
              <span className="b-time mono">{formatTime(b.time)}</span>
              <span className={`b-level lvl-${b.level.toLowerCase()}`}>{b.level}</span>
              <button type="button" className="link b-proc" onClick={() => select(b.processorId)} title="Select this processor">{b.processorName}</button>
              <span className="b-msg">{b.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
