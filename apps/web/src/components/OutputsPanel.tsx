import { formatBytes } from '@nt/display';
import { viewOf, type OutputView } from '../outputValue.js';
import type { LiveOutput } from '../run/runState.js';

/**
 * The run's outputs, drawn for people: plots for embeddings, bars for scores. A sink fed by a stream
 * shows its items as they come (text chunks as growing text) until the run's record replaces them.
 */
export function OutputsPanel({ outputs, live = {} }: { outputs: Record<string, unknown>; live?: Record<string, LiveOutput> }) {
  const names = [...new Set([...Object.keys(live), ...Object.keys(outputs)])];
  if (names.length === 0) return <p className="muted">Outputs appear here while the workflow runs.</p>;
  return (
    <div className="outputs">
      {names.map((name) => (
        <article key={name} className="output" data-testid={`output-${name}`}>
          <h3>{name}</h3>
          {live[name] ? <LiveBody live={live[name]} /> : <OutputBody view={viewOf(outputs[name])} />}
        </article>
      ))}
    </div>
  );
}

/** A streamed output while it runs: the text so far, or the items so far (the last ones). */
function LiveBody({ live }: { live: LiveOutput }) {
  if (live.kind === 'text') {
    return (
      <p className="output-text live" data-testid="live-text" data-items={live.items}>
        {live.text}
        <span className="caret" aria-hidden="true" />
      </p>
    );
  }
  return (
    <>
      <p className="output-facts" data-testid="live-items" data-items={live.count}>
        {live.count} items so far{live.count > live.items.length ? ` (the last ${live.items.length} shown)` : ''}
      </p>
      <ol className="live-items" start={live.count - live.items.length + 1}>
        {live.items.map((item, index) => (
          <li key={live.count - live.items.length + index}>
            <OutputBody view={viewOf(item)} />
          </li>
        ))}
      </ol>
    </>
  );
}

function OutputBody({ view }: { view: OutputView }) {
  switch (view.kind) {
    case 'embedding':
      return (
        <>
          <EmbeddingPlot values={view.values} />
          <p className="output-facts" data-testid="embedding-facts">
            embedding · {view.dimension} dimensions · norm {view.norm.toFixed(4)} · {view.dtype}
          </p>
        </>
      );
    case 'score':
      return (
        <>
          <div className="score-value" data-testid="score-value">
            {view.value.toFixed(4)}
          </div>
          <div className="score-bar" title="from -1 to 1">
            <div style={{ width: `${((view.value + 1) / 2) * 100}%` }} />
          </div>
        </>
      );
    case 'number':
      return <div className="score-value">{view.value}</div>;
    case 'text':
      return <p className="output-text">{view.value}</p>;
    case 'image':
      return <img src={view.src} alt="" className="output-image" />;
    case 'asset':
      return <AssetView view={view} />;
    default:
      return <pre>{view.value}</pre>;
  }
}

/** Each dimension as a bar around zero: the shape of an embedding at a glance. */
function EmbeddingPlot({ values }: { values: number[] }) {
  const width = 384;
  const height = 72;
  const peak = Math.max(...values.map(Math.abs), 1e-9);
  const step = width / values.length;
  return (
    <svg
      className="embedding-plot"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`embedding of ${values.length} dimensions`}
    >
      <line x1={0} x2={width} y1={height / 2} y2={height / 2} className="axis" />
      {values.map((value, index) => {
        const h = (Math.abs(value) / peak) * (height / 2 - 2);
        return (
          <rect
            key={index}
            x={index * step}
            width={Math.max(step - 0.2, 0.4)}
            y={value >= 0 ? height / 2 - h : height / 2}
            height={h}
            className={value >= 0 ? 'pos' : 'neg'}
          />
        );
      })}
    </svg>
  );
}

/** An asset from its URL: shown, played, or offered as a file; always with a download. */
function AssetView({ view }: { view: Extract<OutputView, { kind: 'asset' }> }) {
  return (
    <div className="output-asset" data-testid="output-asset" data-media={view.media}>
      {view.media === 'image' && <img src={view.src} alt="" className="output-image" />}
      {view.media === 'audio' && <audio controls preload="metadata" src={view.src} />}
      {view.media === 'video' && <video controls preload="metadata" src={view.src} className="output-image" />}
      <p className="output-facts">
        {view.contentType} · {formatBytes(view.size)} ·{' '}
        <a href={`${view.src}?download=1`} download>
          download
        </a>
      </p>
    </div>
  );
}
