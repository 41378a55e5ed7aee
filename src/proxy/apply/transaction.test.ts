/** The incremental transaction touches only what changed (pure; the netns tests apply these for real). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CASES, ep, slice } from '../render/fixtures.js';
import { renderRuleset } from '../render/ruleset.js';
import { fullTransaction, incrementalTransaction, removeTransaction } from './transaction.js';

describe('transactions', () => {
  const input = CASES['clusterip-spread']!;

  it('nothing changed: an empty script', () => {
    assert.equal(incrementalTransaction(renderRuleset(input), renderRuleset(input)), '');
  });

  it('one endpoint replaced: one chain rewritten and the hairpin pair swapped, nothing else', () => {
    const next = { ...input, endpointSlices: [slice('web', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('10.42.0.5', 'node-a'), ep('10.42.1.7', 'node-b'), ep('10.42.3.3', 'node-c')])] };
    const script = incrementalTransaction(renderRuleset(input), renderRuleset(next))!;
    const lines = script.split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')), ['flush chain', 'delete element', 'add rule', 'add rule', 'add element']);
    assert.match(script, /delete element ip bosun hairpin \{ 10\.42\.2\.9 \. 10\.42\.2\.9 \}/);
    assert.match(script, /add element ip bosun hairpin \{ 10\.42\.3\.3 \. 10\.42\.3\.3 \}/);
  });

  it('last endpoint gone: the map element moves to the reject map and the chain is deleted after its references', () => {
    const next = { ...input, endpointSlices: [] };
    const lines = incrementalTransaction(renderRuleset(input), renderRuleset(next))!.split('\n');
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    assert.ok(at(/^flush chain .*service-/) < at(/^delete element ip bosun service-ips \{ 10\.43\.0\.10 \. tcp \. 80 \}$/));
    assert.ok(at(/^delete element ip bosun service-ips/) < at(/^delete chain .*service-/));
    assert.ok(at(/^add element ip bosun no-endpoint-services \{ 10\.43\.0\.10 \. tcp \. 80 : goto reject-chain \}$/) >= 0);
  });

  it('a changed node address forces a full apply', () => {
    assert.equal(incrementalTransaction(renderRuleset(input), renderRuleset({ ...input, nodeIPs: ['192.168.50.11'] })), undefined);
    assert.match(fullTransaction(renderRuleset(input)), /^add table ip bosun\ndelete table ip bosun\ntable ip bosun \{/);
  });

  it('a table name other than bosun addresses that table in every script', () => {
    const own = { ...input, table: 'bzs1' };
    assert.match(fullTransaction(renderRuleset(own)), /^add table ip bzs1\ndelete table ip bzs1\ntable ip bzs1 \{/);
    const next = { ...own, endpointSlices: [] };
    const script = incrementalTransaction(renderRuleset(own), renderRuleset(next))!;
    assert.ok(script.length > 0 && script.split('\n').every((l) => / ip bzs1 /.test(l)), script);
    assert.equal(incrementalTransaction(renderRuleset(input), renderRuleset(own)), undefined, 'a renamed table is a full apply');
    assert.equal(removeTransaction('bzs1'), 'add table ip bzs1\ndelete table ip bzs1');
  });
});
