/**
 * The latency one validating admission webhook adds to a create: ConfigMap creates over HTTPS
 * (c=1) alternate between a namespace the webhook's namespaceSelector matches and one it does
 * not, in the same run against the same in-process API server; the webhook is an HTTPS server on
 * loopback (src/apiserver/admission/dynamic/testing/webhook-server.ts) that allows everything.
 * Run: node --import tsx bench/webhook.bench.ts
 * Target: the webhook adds under 3 ms at p50.
 */
import { startWebhookServer } from '../src/apiserver/admission/dynamic/testing/webhook-server.js';
import { RawClient } from '../src/testing/raw-client.js';
import { startTestServer } from '../src/testing/test-cluster.js';

const CREATES = Number(process.env.WEBHOOK_BENCH_CREATES ?? 1000);
const WARMUP = 100;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  const hooks = await startWebhookServer({ '/allow': () => ({ allowed: true }) });
  const ts = await startTestServer();
  const c = new RawClient(ts.url, ts.dataDir);
  try {
    const send = async (method: string, path: string, body: unknown): Promise<void> => {
      const r = await c.send(method, path, body);
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
    };
    await send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-wh-on', labels: { webhook: 'yes' } } });
    await send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-wh-off' } });
    await send('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'bench-allow' },
      webhooks: [{
        name: 'allow.bench.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'],
        clientConfig: { url: `https://127.0.0.1:${hooks.port}/allow`, caBundle: hooks.caBundle },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
        namespaceSelector: { matchLabels: { webhook: 'yes' } },
      }],
    });
    const data = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key${i}`, 'x'.repeat(40)]));
    const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let i = 0; i < WARMUP + CREATES; i++) {
      for (const which of i % 2 ? ['on', 'off'] as const : ['off', 'on'] as const) {
        const t0 = performance.now();
        await send('POST', `/api/v1/namespaces/bench-wh-${which}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data });
        if (i >= WARMUP) times[which].push(performance.now() - t0);
      }
    }
    const called = hooks.received.get('/allow')?.length ?? 0;
    if (called !== WARMUP + CREATES) throw new Error(`the webhook was called ${called} times, expected ${WARMUP + CREATES}`);
    const on = percentile(times.on, 50);
    const off = percentile(times.off, 50);
    console.log(`${CREATES} ConfigMap creates each, c=1, alternating; webhook on loopback HTTPS (keep-alive)`);
    console.log(`${'metric'.padEnd(34)}  ${'ms'.padStart(8)}  target`);
    console.log(`${'create p50, no webhook'.padEnd(34)}  ${off.toFixed(2).padStart(8)}`);
    console.log(`${'create p50, one validating webhook'.padEnd(34)}  ${on.toFixed(2).padStart(8)}`);
    console.log(`${'create p99, no webhook / webhook'.padEnd(34)}  ${`${percentile(times.off, 99).toFixed(1)}/${percentile(times.on, 99).toFixed(1)}`.padStart(8)}`);
    console.log(`${'added by the webhook (p50)'.padEnd(34)}  ${(on - off).toFixed(2).padStart(8)}  < 3`);
  } finally {
    c.close();
    await ts.stop();
    await hooks.close();
  }
}

await main();
