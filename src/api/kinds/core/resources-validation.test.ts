/**
 * Extended resources in a container's resources, as upstream's ValidateResourceRequirements
 * (pkg/apis/core/validation/validation.go): integers, a limit required, request equal to the limit.
 * Before this check Bosun accepted all of these pods.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePodSpec } from './pod-spec-validation.js';

const spec = (resources: Record<string, Record<string, string>>) => ({ containers: [{ name: 'c', image: 'img', resources }] });
const errors = (resources: Record<string, Record<string, string>>) =>
  validatePodSpec(spec(resources), 'spec').map((e) => `${e.field}: ${e.detail ?? ''}`);

test('extended resources: whole units, request equal to a required limit', () => {
  const cases: { name: string; resources: Record<string, Record<string, string>>; want: string[] }[] = [
    { name: 'limit only (the request defaults to it)', resources: { limits: { 'example.com/foo': '2' } }, want: [] },
    { name: 'request equal to limit', resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } }, want: [] },
    {
      name: 'request without limit', resources: { requests: { 'example.com/foo': '1' } },
      want: ['spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources'],
    },
    {
      name: 'request below limit', resources: { requests: { 'example.com/foo': '1' }, limits: { 'example.com/foo': '2' } },
      want: ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/foo limit of 2'],
    },
    {
      name: 'fraction', resources: { limits: { 'example.com/foo': '500m' } },
      want: ['spec.containers[0].resources.limits[example.com/foo]: Invalid value: "500m": must be an integer'],
    },
    { name: 'cpu may be overcommitted', resources: { requests: { cpu: '100m' }, limits: { cpu: '1' } }, want: [] },
    { name: 'cpu request without limit', resources: { requests: { cpu: '100m' } }, want: [] },
    {
      name: 'cpu request above limit', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } },
      want: ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    },
    {
      name: 'hugepages are not overcommitted either', resources: { requests: { 'hugepages-2Mi': '2Mi', memory: '1Mi' } },
      want: ['spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources'],
    },
  ];
  for (const c of cases) assert.deepEqual(errors(c.resources), c.want, c.name);
});
