import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodAffinityTerm } from '../../../api/kinds/core/affinity.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runScore } from '../../testing/run-plugin.js';
import { newInterPodAffinity } from './inter-pod-affinity.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const preferred = (weight: number, app: string, topologyKey: string): { weight: number; podAffinityTerm: PodAffinityTerm } =>
  ({ weight, podAffinityTerm: { labelSelector: { matchLabels: { app } }, topologyKey } });

// Upstream's symmetry ("Affinity symmetry: considered ... in pod affinity symmetry" cases of
// interpodaffinity scoring_test.go): existing pods' terms that select the incoming pod count too.
test('InterPodAffinity score counts existing pods\' terms towards the incoming pod', () => {
  const prefersDb = makePod().name('p1').label('app', 'web').obj();
  prefersDb.spec.affinity = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [preferred(10, 'db', ZONE)] } };
  const needsDb = makePod().name('p2').label('app', 'api').podAffinity('app', 'db', HOST).obj();
  const avoidsDb = makePod().name('p3').label('app', 'batch').obj();
  avoidsDb.spec.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [preferred(5, 'db', HOST)] } };
  const nodes = [
    makeNode().name('a1').label(ZONE, 'a').info(prefersDb),
    makeNode().name('a2').label(ZONE, 'a').info(avoidsDb),
    makeNode().name('b1').label(ZONE, 'b').info(needsDb),
    makeNode().name('b2').label(ZONE, 'b').info(makePod().name('plain').label('app', 'db').obj()),
  ];
  // raw: a1 +10 and a2 +10 (zone a, p1's preferred term), a2 -5 (p3's preferred anti-affinity on
  // its host), b1 +1 (p2's required term, hardPodAffinityWeight 1), b2 0 -> 100, 50, 10, 0.
  assert.deepEqual(runScore(newInterPodAffinity(), makePod().label('app', 'db').info(), nodes), [100, 50, 10, 0]);
  // A pod none of those terms select, and with none of its own: nothing to score.
  assert.equal(runScore(newInterPodAffinity(), makePod().label('app', 'other').info(), nodes), null);
});
