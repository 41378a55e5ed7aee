/**
 * The diff in upstream's "existing ephemeral containers %q may not be changed" (validation.go
 * ValidatePodEphemeralContainersUpdate: cmp.Diff of the internal core.EphemeralContainer), in
 * go-cmp's report format: context of two identical fields, "... // N identical fields", keys
 * aligned in runs, a []string diffed element by element, a nil slice against a set one as two lines
 * with the type named, a struct held by value shown as {}. Expected texts written by hand from
 * go-cmp's report_compare.go / report_text.go rules (plain-space form).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EphemeralContainer } from './container.js';
import { ephemeralContainerDiff } from './ephemeral-container-diff.js';

const base: EphemeralContainer = { name: 'dbg', image: 'busybox', command: ['sh'], terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' };

test('a command grown by two arguments: the list diffed by element inside []string{...}', () => {
  const old = { name: 'dbg', image: 'busybox', command: ['sh'] } as EphemeralContainer;
  assert.equal(ephemeralContainerDiff(old, { ...old, command: ['sh', '-c', 'true'] }), [
    '  core.EphemeralContainer{',
    '  \tEphemeralContainerCommon: core.EphemeralContainerCommon{',
    '  \t\tName:  "dbg",',
    '  \t\tImage: "busybox",',
    '  \t\tCommand: []string{',
    '  \t\t\t"sh",',
    '+ \t\t\t"-c",',
    '+ \t\t\t"true",',
    '  \t\t},',
    '  \t\tArgs:       nil,',
    '  \t\tWorkingDir: "",',
    '  \t\t... // 19 identical fields',
    '  \t},',
    '  \tTargetContainerName: "",',
    '  }',
    '',
  ].join('\n'));
});

test('env set where there was none: two lines naming []core.EnvVar; Resources, a struct, is {}', () => {
  const old = { ...base, targetContainerName: 'app' };
  assert.equal(ephemeralContainerDiff(old, { ...old, env: [{ name: 'A', value: 'b' }] }), [
    '  core.EphemeralContainer{',
    '  \tEphemeralContainerCommon: core.EphemeralContainerCommon{',
    '  \t\t... // 5 identical fields',
    '  \t\tPorts:        nil,',
    '  \t\tEnvFrom:      nil,',
    '- \t\tEnv:          nil,',
    '+ \t\tEnv:          []core.EnvVar{{Name: "A", Value: "b"}},',
    '  \t\tResources:    {},',
    '  \t\tResizePolicy: nil,',
    '  \t\t... // 14 identical fields',
    '  \t},',
    '  \tTargetContainerName: "app",',
    '  }',
    '',
  ].join('\n'));
});

test('a flag turned on at the end: no context after the last field; a string with quotes is shown raw; long lists cut at four', () => {
  const old = { ...base, command: ['sh', '-c', 'echo "hi"'] };
  const diff = ephemeralContainerDiff(old, { ...old, tty: true });
  assert.match(diff, /\n {2}\t\t\.\.\. \/\/ 21 identical fields\n {2}\t\tStdin: {5}false,\n {2}\t\tStdinOnce: false,\n- \t\tTTY: {7}false,\n\+ \t\tTTY: {7}true,\n {2}\t\},\n/);
  assert.equal(ephemeralContainerDiff(old, { ...old, image: 'b' }).includes('Command: {"sh", "-c", `echo "hi"`}'), true);
  // Identical values at go-cmp's verbosity 1: four entries, then "...".
  const long = { ...base, command: ['a', 'b', 'c', 'd', 'e'] };
  assert.equal(ephemeralContainerDiff(long, { ...long, image: 'b' }).includes('\t\tCommand: {"a", "b", "c", "d", ...},\n'), true);
  const path = { ...base, workingDir: `/${'w'.repeat(80)}` };
  assert.equal(ephemeralContainerDiff(path, { ...path, args: ['x'] }).includes(`\t\tWorkingDir: "/${'w'.repeat(63)}"...,\n`), true, 'a string past 64 characters cut, the ellipsis outside the quotes');
});
