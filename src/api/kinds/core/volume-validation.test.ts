import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateNode } from '../../schema/walk.js';
import { podSpecSchema } from './pod-spec.js';
import { validatePodSpec } from './pod-spec-validation.js';

/** Volume path rules as upstream's pkg/apis/core/validation/validation.go words them. */

const spec = (volumes: unknown[], mounts: unknown[] = [], securityContext: unknown = {}) => ({
  volumes, securityContext, containers: [{ name: 'c', image: 'busybox', volumeMounts: mounts }],
});
const errs = (s: unknown) => validatePodSpec(s, 'spec').map((e) => `${e.field}: ${e.detail}`);

describe('volume item paths (ValidateLocalNonReservedPath)', () => {
  const cases: [string, string[]][] = [
    ['../../../../tmp/x/pwned', ["must not contain '..'"]],
    ['/etc/passwd', ['must be a relative path']],
    ['a/../../b', ["must not contain '..'"]],
    ['..data', ["must not start with '..'"]],
    ['..', ["must not contain '..'"]],
  ];
  for (const [path, want] of cases) {
    it(`configMap, secret, downwardAPI and projected items refuse ${JSON.stringify(path)}`, () => {
      const vols = [
        { name: 'a', configMap: { name: 'cm', items: [{ key: 'k', path }] } },
        { name: 'b', secret: { secretName: 's', items: [{ key: 'k', path }] } },
        { name: 'c', downwardAPI: { items: [{ path, fieldRef: { fieldPath: 'metadata.name' } }] } },
        { name: 'd', projected: { sources: [{ configMap: { name: 'cm', items: [{ key: 'k', path }] } }, { serviceAccountToken: { path: `t${path}` } }] } },
      ];
      const got = errs(spec(vols));
      const q = JSON.stringify(path);
      for (const w of want) {
        assert.ok(got.includes(`spec.volumes[0].configMap.items[0].path: Invalid value: ${q}: ${w}`), got.join('\n'));
        assert.ok(got.includes(`spec.volumes[1].secret.items[0].path: Invalid value: ${q}: ${w}`), got.join('\n'));
        assert.ok(got.includes(`spec.volumes[2].downwardAPI.items[0].path: Invalid value: ${q}: ${w}`), got.join('\n'));
        assert.ok(got.includes(`spec.volumes[3].projected.sources[0].configMap.items[0].path: Invalid value: ${q}: ${w}`), got.join('\n'));
      }
    });
  }

  it('accepts nested relative paths, and dots inside names', () => {
    assert.deepEqual(errs(spec([{ name: 'a', configMap: { name: 'cm', items: [{ key: 'k', path: 'conf.d/a..b/app.conf' }] } }])), []);
  });

  it('modes are 0..0777; projected paths are unique; hostPath has no ..', () => {
    const got = errs(spec([
      { name: 'a', secret: { secretName: 's', defaultMode: 0o1777, items: [{ key: 'k', path: 'p', mode: -1 }] } },
      { name: 'b', projected: { sources: [{ secret: { name: 's', items: [{ key: 'k', path: 'same' }] } }, { configMap: { name: 'cm', items: [{ key: 'k', path: 'same' }] } }] } },
      { name: 'c', hostPath: { path: '/var/../etc' } },
    ]));
    assert.deepEqual(got, [
      'spec.volumes[0].secret.defaultMode: Invalid value: 1023: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[0].secret.items[0].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive',
      'spec.volumes[1].projected: Invalid value: "cm": conflicting duplicate paths',
      'spec.volumes[2].hostPath.path: Invalid value: "/var/../etc": must not contain \'..\'',
    ]);
  });
});

describe('subPath, subPathExpr (validateLocalDescendingPath) and fsGroupChangePolicy', () => {
  it('refuses absolute and backstepping sub paths', () => {
    const got = errs(spec([{ name: 'v', emptyDir: {} }], [
      { name: 'v', mountPath: '/a', subPath: '/etc' },
      { name: 'v', mountPath: '/b', subPath: 'x/../..' },
      { name: 'v', mountPath: '/c', subPathExpr: '../$(POD_NAME)' },
      { name: 'v', mountPath: '/d', subPath: 'ok/dir' },
    ]));
    assert.deepEqual(got, [
      'spec.containers[0].volumeMounts[0].subPath: Invalid value: "/etc": must be a relative path',
      'spec.containers[0].volumeMounts[1].subPath: Invalid value: "x/../..": must not contain \'..\'',
      'spec.containers[0].volumeMounts[2].subPathExpr: Invalid value: "../$(POD_NAME)": must not contain \'..\'',
    ]);
  });

  it('fsGroupChangePolicy is OnRootMismatch or Always (an enum of the schema)', () => {
    const schemaErrs = (sc: unknown) => validateNode(podSpecSchema, { containers: [{ name: 'c', image: 'x' }], securityContext: sc }, 'spec').map((e) => `${e.field}: ${e.detail}`);
    assert.deepEqual(schemaErrs({ fsGroup: 1, fsGroupChangePolicy: 'OnRootMismatch' }), []);
    assert.deepEqual(schemaErrs({ fsGroupChangePolicy: 'Sometimes' }), [
      'spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch"',
    ]);
  });
});
