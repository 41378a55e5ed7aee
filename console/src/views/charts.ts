/** CPU and memory over the last hour, as two small SVG line charts (no chart library). */
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { bytes, cores } from '../kube.js';
import { INTERVAL_MS, seriesFor, type Sample, type Target } from '../metrics.js';

export function Charts({ target }: { target: Target }) {
  const s = seriesFor(target);
  const [, setTick] = useState(0);
  useEffect(() => s.subscribe(() => setTick((t) => t + 1)), [s]);
  return html`<section class="charts" data-testid="charts">
    <p class="hint">Sampled from metrics.k8s.io every ${INTERVAL_MS / 1000} s while the console is open; the last hour is kept in the page.</p>
    ${s.error && s.samples.length === 0 ? html`<p class="error">${s.error}</p>` : null}
    <div class="chart-row">
      <${Chart} title="CPU" samples=${s.samples} pick=${(x: Sample) => x.cpu} fmt=${cores} />
      <${Chart} title="Memory" samples=${s.samples} pick=${(x: Sample) => x.mem} fmt=${bytes} />
    </div>
  </section>`;
}

const W = 480;
const H = 140;

function Chart({ title, samples, pick, fmt }: { title: string; samples: Sample[]; pick: (s: Sample) => number; fmt: (n: number) => string }) {
  const now = Date.now();
  const from = now - 3600_000;
  const max = Math.max(...samples.map(pick), 1e-9) * 1.15;
  const x = (t: number): number => ((t - from) / 3600_000) * W;
  const y = (v: number): number => H - (v / max) * H;
  const pts = samples.filter((s) => s.t >= from).map((s) => `${x(s.t).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ');
  const last = samples[samples.length - 1];
  return html`<figure class="chart">
    <figcaption>${title}: ${last ? fmt(pick(last)) : 'no sample yet'} <span class="muted">(max ${fmt(max / 1.15)})</span></figcaption>
    <svg viewBox=${`0 0 ${W} ${H}`} width=${W} height=${H} role="img" aria-label=${`${title} over the last hour`}>
      <line x1="0" y1=${H} x2=${W} y2=${H} class="axis" />
      <line x1="0" y1=${H / 2} x2=${W} y2=${H / 2} class="grid" />
      ${pts ? html`<polyline points=${pts} class="line" />` : null}
      ${samples.length === 1 ? html`<circle cx=${x(samples[0]!.t)} cy=${y(pick(samples[0]!))} r="3" class="dot" />` : null}
      <text x="2" y="12" class="tick">${fmt(max / 1.15)}</text>
      <text x=${W - 2} y=${H - 4} class="tick end">now</text>
      <text x="2" y=${H - 4} class="tick">-1h</text>
    </svg>
  </figure>`;
}
