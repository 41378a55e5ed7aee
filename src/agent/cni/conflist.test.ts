import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONFLIST_FILE, gatewayFor, parseIPv4Cidr, renderCniConflist, writeCniConfig } from './conflist.js';

describe('CNI conflist', () => {
  it('parses pod CIDRs and rejects bad ones', () => {
    const good: [string, string][] = [
      ['10.42.0.0/24', '10.42.0.1'],
      ['10.42.3.0/24', '10.42.3.1'],
      ['192.168.128.0/17', '192.168.128.1'],
      ['10.0.0.0/8', '10.0.0.1'],
    ];
    for (const [cidr, gw] of good) assert.equal(gatewayFor(cidr), gw, cidr);
    const bad = ['10.42.0.1/24', '10.42.0.0', '10.42.0.0/31', '300.1.1.0/24', 'fd00::/64', '10.42.0.0/7', ''];
    for (const cidr of bad) assert.throws(() => parseIPv4Cidr(cidr), /invalid pod CIDR/, cidr);
  });

  it('renders bridge (gateway, masquerade, hairpin) + host-local + portmap + loopback', () => {
    const conf = renderCniConflist({ podCIDR: '10.42.0.0/24' }) as {
      cniVersion: string;
      name: string;
      plugins: Record<string, unknown>[];
    };
    assert.equal(conf.name, 'bosun');
    assert.deepEqual(conf.plugins.map((p) => p.type), ['bridge', 'portmap', 'loopback']);
    assert.deepEqual(conf.plugins[0], {
      type: 'bridge',
      bridge: 'bosun0',
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      ipam: {
        type: 'host-local',
        ranges: [[{ subnet: '10.42.0.0/24', gateway: '10.42.0.1' }]],
        routes: [{ dst: '0.0.0.0/0' }],
      },
    });
    assert.deepEqual(conf.plugins[1], { type: 'portmap', capabilities: { portMappings: true } });
  });

  it('takes a bridge name, network name, IPAM dir and MTU, and rejects long bridge names', () => {
    const conf = renderCniConflist({ podCIDR: '10.9.0.0/16', bridge: 'br-test', name: 'n', ipamDataDir: '/d', mtu: 1400 }) as {
      name: string;
      plugins: { bridge?: string; mtu?: number; ipam?: { dataDir?: string } }[];
    };
    assert.equal(conf.name, 'n');
    assert.equal(conf.plugins[0]!.bridge, 'br-test');
    assert.equal(conf.plugins[0]!.mtu, 1400);
    assert.equal(conf.plugins[0]!.ipam!.dataDir, '/d');
    assert.throws(() => renderCniConflist({ podCIDR: '10.9.0.0/16', bridge: 'a-very-long-bridge' }), /15 characters/);
  });

  it('writes the conflist and removes other network configs the CRI plugin would pick first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bosun-cni-'));
    try {
      writeFileSync(join(dir, '00-other.conflist'), '{}');
      writeFileSync(join(dir, 'README'), 'kept');
      const file = writeCniConfig(dir, { podCIDR: '10.42.1.0/24' });
      assert.equal(file, join(dir, CONFLIST_FILE));
      assert.deepEqual(readdirSync(dir).sort(), [CONFLIST_FILE, 'README']);
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).plugins[0].ipam.ranges[0][0].subnet, '10.42.1.0/24');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
