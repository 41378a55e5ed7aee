/** ImageLocality against upstream 1.32's image_locality_test.go tables (same nodes, pods and expected scores). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from '../../framework/pod-info.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runScore } from '../../testing/run-plugin.js';
import { newImageLocality, normalizedImageName } from './image-locality.js';

const mb = 1024 * 1024;

function pod(containers: string[], initContainers: string[] = []) {
  const p = makePod().obj();
  p.spec.containers = containers.map((image, i) => ({ name: `c${i}`, image }));
  if (initContainers.length) p.spec.initContainers = initContainers.map((image, i) => ({ name: `i${i}`, image }));
  return newPodInfo(p);
}

const node403002000 = () => makeNode().images([['gcr.io/40:latest', 'gcr.io/40:v1', 'gcr.io/40:v1'], 40 * mb], [['gcr.io/300:latest', 'gcr.io/300:v1'], 300 * mb], [['gcr.io/2000:latest'], 2000 * mb]);
const node25010 = () => makeNode().images([['gcr.io/250:latest'], 250 * mb], [['gcr.io/10:latest', 'gcr.io/10:v1'], 10 * mb]);
const node60040900 = () => makeNode().images([['gcr.io/600:latest'], 600 * mb], [['gcr.io/40:latest'], 40 * mb], [['gcr.io/900:latest'], 900 * mb]);
const node300600900 = () => makeNode().images([['gcr.io/300:latest'], 300 * mb], [['gcr.io/600:latest'], 600 * mb], [['gcr.io/900:latest'], 900 * mb]);
const node400030 = () => makeNode().images([['gcr.io/4000:latest'], 4000 * mb], [['gcr.io/30:latest'], 30 * mb]);
const node203040 = () => makeNode().images([['gcr.io/20:latest'], 20 * mb], [['gcr.io/30:latest'], 30 * mb], [['gcr.io/40:latest'], 40 * mb]);
const nodeWithNoImages = () => makeNode();

test('ImageLocality scores as upstream', async (t) => {
  const cases = [
    { name: 'two images spread on two nodes, prefer the larger image one', pod: pod(['gcr.io/40', 'gcr.io/250']), nodes: [node403002000(), node25010()], want: [0, 5] },
    { name: 'two images on one node, prefer this node', pod: pod(['gcr.io/40', 'gcr.io/300']), nodes: [node403002000(), node25010()], want: [7, 0] },
    { name: 'if exceed limit, use limit', pod: pod(['gcr.io/10', 'gcr.io/4000']), nodes: [node400030(), node25010()], want: [100, 0] },
    { name: 'if exceed limit, use limit (with node which has no images present)', pod: pod(['gcr.io/10', 'gcr.io/4000']), nodes: [node400030(), node25010(), nodeWithNoImages()], want: [66, 0, 0] },
    { name: 'pod with multiple large images, node2 is preferred', pod: pod(['gcr.io/300', 'gcr.io/600', 'gcr.io/900']), nodes: [node60040900(), node300600900(), nodeWithNoImages()], want: [32, 36, 0] },
    { name: 'pod with multiple small images', pod: pod(['gcr.io/30', 'gcr.io/40']), nodes: [node203040(), node400030()], want: [1, 0] },
    { name: 'include InitContainers: two images spread on two nodes, prefer the larger image one', pod: pod(['gcr.io/30'], ['gcr.io/300']), nodes: [node403002000(), node203040()], want: [6, 0] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const nodes = c.nodes.map((n, i) => n.name(`node${i + 1}`).info());
      assert.deepEqual(runScore(newImageLocality(), c.pod, nodes), c.want);
    });
  }
});

test('ImageLocality skips scoring when no node has any of the pod\'s images', () => {
  assert.equal(runScore(newImageLocality(), pod(['nginx']), [node25010().name('a').info(), makeNode().name('b').info()]), null);
});

test('normalizedImageName as upstream', () => {
  assert.equal(normalizedImageName('root'), 'root:latest');
  assert.equal(normalizedImageName('gcr.io:5000/root'), 'gcr.io:5000/root:latest');
  assert.equal(normalizedImageName('root:tag'), 'root:tag');
  const digest = 'root@sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2';
  assert.equal(normalizedImageName(digest), digest);
});
