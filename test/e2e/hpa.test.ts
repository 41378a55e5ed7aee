/**
 * The HorizontalPodAutoscaler on real containers (issue 16), as upstream's php-apache walkthrough:
 * a Deployment whose busybox httpd burns CPU in a CGI script on every request (requests.cpu 100m),
 * an HPA at 50% CPU with a short scale-down window in its manifest, and a load-generator pod that
 * requests the page in a loop. Under load the HPA scales the Deployment up (metrics from the agent's
 * cgroup samples through metrics.k8s.io); `kubectl get hpa` shows TARGETS `cpu: N%/50%`; once the
 * load pod is gone and the window has passed it scales back to one. The node server runs without
 * cluster DNS, so the load pod requests the first replica by its pod IP. Needs root; `npm run build`
 * and scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

const BURN = "mkdir -p /tmp/www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\ni=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo burned\\n' > /tmp/www/cgi-bin/burn && chmod +x /tmp/www/cgi-bin/burn && exec httpd -f -p 8080 -h /tmp/www";

const deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hpa-burner' },
  spec: {
    replicas: 1, selector: { matchLabels: { app: 'hpa-burner' } },
    template: {
      metadata: { labels: { app: 'hpa-burner' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'burner', image: 'bosun.test/busybox:1', command: ['sh', '-c', BURN], resources: { requests: { cpu: '100m' } } }],
      },
    },
  },
};

const hpa = {
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'hpa-burner' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hpa-burner' }, minReplicas: 1, maxReplicas: 3,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    behavior: { scaleDown: { stabilizationWindowSeconds: 5, policies: [{ type: 'Percent', value: 100, periodSeconds: 5 }] } },
  },
};

const loader = (ip: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hpa-load' },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [{ name: 'load', image: 'bosun.test/busybox:1', command: ['sh', '-c', `while true; do wget -q -O /dev/null http://${ip}:8080/cgi-bin/burn; done`] }],
  },
});

describe('HorizontalPodAutoscaler on real containers', { timeout: 300_000 }, () => {
  // The Deployment and HPA go before the node stops (stop() deletes pods, which they would replace).
  const getNode = useNodeServer({ extraArgs: ['--horizontal-pod-autoscaler-sync-period', '2s'] },
    (n) => n.kubectl(['delete', 'hpa,deployment', 'hpa-burner', '--ignore-not-found', '--wait=true']));
  let node: NodeServer;
  before(() => {
    node = getNode();
  });
  const replicas = async () => Number(await node.k('get', 'deployment', 'hpa-burner', '-o', 'jsonpath={.spec.replicas}'));

  it('scales a CPU-burning Deployment up under load and back down after the load stops', async () => {
    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: JSON.stringify(deployment) })).code, 0);
    const w = await node.kubectl(['wait', '--for=condition=Available', 'deployment/hpa-burner', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(w.code, 0, w.stderr);
    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: JSON.stringify(hpa) })).code, 0);
    const ip = await node.k('get', 'pods', '-l', 'app=hpa-burner', '-o', 'jsonpath={.items[0].status.podIP}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);

    // Idle: the HPA reads the metric and keeps one replica.
    await waitFor('the HPA to read the idle CPU', async () => /cpu: \d+%\/50%/.test(await node.k('get', 'hpa', 'hpa-burner')), 90_000, 1000);
    assert.equal(await replicas(), 1);

    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: JSON.stringify(loader(ip)) })).code, 0);
    await waitFor('a scale-up under load', async () => (await replicas()) > 1, 120_000, 1000);
    const table = await node.k('get', 'hpa', 'hpa-burner');
    assert.match(table.split('\n')[0]!, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
    assert.match(table.split('\n')[1]!, /^hpa-burner\s+Deployment\/hpa-burner\s+cpu: \d+%\/50%\s+1\s+3\s+\d\s+\S+$/);
    const busy = Number(/cpu: (\d+)%/.exec(table)![1]);
    assert.ok(busy > 55, `utilization under load ${busy}% is above the target's tolerance`);

    await node.k('delete', 'pod', 'hpa-load', '--grace-period=0', '--force');
    await waitFor('the scale-down once the load is gone', async () => (await replicas()) === 1, 150_000, 1000);
    const events = await node.k('get', 'events', '--field-selector', 'involvedObject.name=hpa-burner,reason=SuccessfulRescale', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}');
    assert.match(events, /New size: [23]; reason: cpu resource utilization \(percentage of request\) above target/);
    assert.match(events, /New size: 1; reason: All metrics below target/);
  });
});
