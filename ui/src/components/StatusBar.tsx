// Totals for the open flow: queued FlowFiles, running/stopped/invalid/disabled processors,
// whether the draft is saved, and whether the live feed is connected.
import { useLive } from '../live';
import { useEditor, reloadAfterConflict } from '../store';
import { formatBytes, formatCount } from '../format';

export function StatusBar() {
  const queued = useLive((s) => s.queued);
  const counts = useLive((s) => s.counts);
  const connected = useLive((s) => s.connected);
  const liveError = useLive((s) => s.error);
  const save = useEditor((s) => s.save);
  const processors = useEditor((s) => s.flow?.processors.length ?? 0);
  const bulletinCount = useLive((s) => s.bulletins.length);
  const showBulletins = useEditor((s) => s.showBulletins);
  const showCluster = useEditor((s) => s.showCluster);

  const saveText: Record<string, string> = {
    idle: 'Saved', pending: 'Editing…', saving: 'Saving…', saved: 'All changes saved', invalid: save.message ?? 'Not saved', error: save.message ?? 'Save failed',
  };
  return (
    <footer className="status-bar" aria-label="Flow status">
      <span data-testid="status-queued" title="FlowFiles queued in all connections">Queued <strong>{formatCount(queued.count)}</strong> ({formatBytes(queued.bytes)})</span>
      <span data-testid="status-running"><span className="state-icon state-running" aria-hidden="true">▶</span> Running <strong>{counts.running}</strong></span>
      <span data-testid="status-stopped"><span className="state-icon state-stopped" aria-hidden="true">■</span> Stopped <strong>{counts.stopped}</strong></span>
      <span data-testid="status-invalid"><span className="state-icon state-invalid" aria-hidden="true">⚠</span> Invalid <strong>{counts.invalid}</strong></span>
      {counts.disabled > 0 && <span><span className="state-icon state-disabled" aria-hidden="true">⊘</span> Disabled <strong>{counts.disabled}</strong></span>}
      <span className="muted">{processors} processors</span>
      <span className="spacer" />
      <button type="button" className={`link ${showCluster ? 'on' : ''}`} aria-pressed={showCluster} onClick={() => useEditor.setState({ showCluster: !showCluster, showBulletins: false })}>
        Cluster
      </button>
      <button type="button" className={`link ${showBulletins ? 'on' : ''}`} aria-pressed={showBulletins} onClick={() => useEditor.setState({ showBulletins: !showBulletins, showCluster: false })}>
        Bulletins ({bulletinCount})
      </button>
      <span className={`save-state save-${save.state}`} data-testid="save-state" role="status" aria-live="polite">
        {saveText[save.state]}
        {save.state === 'error' && save.message?.includes('reload') && <> <button type="button" className="link" onClick={() => void reloadAfterConflict()}>Reload</button></>}
      </span>
      <span className={`live ${connected ? 'live-on' : 'live-off'}`} title={liveError ?? (connected ? 'Live updates connected' : 'Live updates disconnected; polling')}>
        {connected ? '● Live' : '○ Offline'}
      </span>
    </footer>
  );
}
