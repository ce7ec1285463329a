// The Cluster panel: every node with heartbeat age, liveness, roles, active tasks and version
// (GET /api/cluster, refreshed every two seconds while open). Embedded mode says so.
import { useEffect, useState } from 'react';
import { api, type ClusterInfo } from '../api';
import { useEditor } from '../store';

export function ClusterPanel() {
  const [info, setInfo] = useState<ClusterInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    const load = () => api.cluster().then((i) => { if (!stopped) { setInfo(i); setError(null); } }, (e: Error) => { if (!stopped) setError(e.message); });
    load();
    const timer = setInterval(load, 2000);
    return () => { stopped = true; clearInterval(timer); };
  }, []);

  return (
    <section className="bulletins" aria-labelledby="cluster-title">
      <header className="bulletins-head">
        <h2 id="cluster-title" className="panel-title">Cluster</h2>
        <button type="button" className="icon-button" aria-label="Close cluster panel" onClick={() => useEditor.setState({ showCluster: false })}>✕</button>
      </header>
      {error && <p className="muted pad" role="alert">{error}</p>}
      {info?.mode === 'embedded' && <p className="muted pad">Embedded mode: this server runs every flow itself, with in-process queues. Start it with --redis to share flows across workers.</p>}
      {info?.mode === 'cluster' && (
        <table className="cluster-table">
          <thead><tr><th>Node</th><th>State</th><th>Heartbeat</th><th>Roles</th><th>Active tasks</th><th>Flows</th><th>Version</th></tr></thead>
          <tbody>
            {info.nodes.map((n) => (
              <tr key={n.id}>
                <td className="mono">{n.id}{n.self ? ' (this node)' : ''}{n.primary ? ' ★ primary' : ''}</td>
                <td>{n.alive ? 'alive' : 'silent'}</td>
                <td>{(n.heartbeatAgeMs / 1000).toFixed(1)} s ago</td>
                <td>{n.roles.join(', ')}</td>
                <td>{n.activeTasks}</td>
                <td>{n.flows}</td>
                <td>{n.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
