import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerdPaths, renderContainerdConfig, renderHostsToml } from './config.js';

describe('containerd config', () => {
  const paths = containerdPaths('/data/containerd');
  const toml = renderContainerdConfig({ paths, sandboxImage: 'bosun.local/pause:1' });

  it('keeps everything of a private containerd under its own directory', () => {
    const want: [string, string][] = [
      ['root', '/data/containerd/root'],
      ['state', '/data/containerd/state'],
      ['address', '/data/containerd/containerd.sock'],
      ['address', '/data/containerd/containerd.sock.ttrpc'],
      ['path', '/data/containerd/opt'],
      ['Root', '/data/containerd/runc'],
      ['conf_dir', '/data/containerd/cni/net.d'],
      ['config_path', '/data/containerd/certs.d'],
    ];
    for (const [key, value] of want) {
      assert.match(toml, new RegExp(`^\\s*${key} = "${value.replace(/\./g, '\\.')}"$`, 'm'), `${key} = ${value}`);
    }
  });

  // A host without systemd as PID 1, where root lacks CAP_SYS_RESOURCE: without
  // restrict_oom_score_adj every sandbox fails ("can't get final child's PID from pipe: EOF"), and
  // cgroups are driven through cgroupfs (SystemdCgroup = false).
  it('sets what a host without systemd and without CAP_SYS_RESOURCE needs', () => {
    const want = [
      /^version = 2$/m,
      /^\s*restrict_oom_score_adj = true$/m,
      /^\s*SystemdCgroup = false$/m,
      /^\s*sandbox_image = "bosun\.local\/pause:1"$/m,
      /^\s*bin_dir = "\/usr\/lib\/cni"$/m,
      /^\s*runtime_type = "io\.containerd\.runc\.v2"$/m,
      /^\s*stream_server_port = "0"$/m,
    ];
    for (const re of want) assert.match(toml, re);
    // config_path cannot be combined with the legacy mirrors table.
    assert.doesNotMatch(toml, /^\s*\[.*registry\.mirrors/m);
  });

  it('escapes paths as TOML strings', () => {
    const odd = renderContainerdConfig({ paths: containerdPaths('/data/with "quote"'), sandboxImage: 'p' });
    assert.match(odd, /^root = "\/data\/with \\"quote\\"\/root"$/m);
  });

  it('renders hosts.toml for plain-http and https mirrors', () => {
    const table: [Parameters<typeof renderHostsToml>[0], RegExp[]][] = [
      [
        { host: 'registry.test:5000', endpoint: 'http://127.0.0.1:5000' },
        [/^server = "http:\/\/registry\.test:5000"$/m, /^\[host\."http:\/\/127\.0\.0\.1:5000"\]$/m, /capabilities = \["pull", "resolve"\]/, /skip_verify = true/],
      ],
      [{ host: 'docker.io', endpoint: 'https://mirror.example' }, [/^server = "https:\/\/docker\.io"$/m, /^\[host\."https:\/\/mirror\.example"\]$/m]],
    ];
    for (const [input, patterns] of table) {
      const out = renderHostsToml(input);
      for (const p of patterns) assert.match(out, p, `${input.host}: ${p}`);
    }
    assert.doesNotMatch(renderHostsToml({ host: 'docker.io', endpoint: 'https://mirror.example' }), /skip_verify/);
  });
});
