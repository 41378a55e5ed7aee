import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Image } from '../runtime/types.js';
import { nodeImages, sameImages } from './node-images.js';

const img = (id: string, size: number, repoTags: string[] = [], repoDigests: string[] = []): Image => ({ id, size, repoTags, repoDigests, pinned: false });

test('nodeImages: biggest first, ties by id descending, as ByImageSize', () => {
  const got = nodeImages([img('sha256:a', 10, ['a:1']), img('sha256:c', 30, ['c:1']), img('sha256:b', 10, ['b:1'])]);
  assert.deepEqual(got, [{ names: ['c:1'], sizeBytes: 30 }, { names: ['b:1'], sizeBytes: 10 }, { names: ['a:1'], sizeBytes: 10 }]);
});

test('nodeImages: names are the repo digests then the repo tags, at most 5', () => {
  const got = nodeImages([img('sha256:x', 1, ['x:1', 'x:2', 'x:3', 'x:4'], ['x@sha256:d1', 'x@sha256:d2'])]);
  assert.deepEqual(got[0]!.names, ['x@sha256:d1', 'x@sha256:d2', 'x:1', 'x:2', 'x:3']);
});

test('nodeImages: at most 50 images by default (the 50 biggest), all with -1', () => {
  const many = Array.from({ length: 60 }, (_, i) => img(`sha256:${String(i).padStart(2, '0')}`, i + 1, [`i${i}:1`]));
  const got = nodeImages(many);
  assert.equal(got.length, 50);
  assert.equal(got[0]!.sizeBytes, 60);
  assert.equal(got[49]!.sizeBytes, 11);
  assert.equal(nodeImages(many, -1).length, 60);
});

test('sameImages compares names and sizes in order', () => {
  const a = [{ names: ['a:1'], sizeBytes: 1 }, { names: ['b:1'], sizeBytes: 2 }];
  assert.equal(sameImages(a, structuredClone(a)), true);
  assert.equal(sameImages([], undefined), true);
  assert.equal(sameImages(a, [a[1]!, a[0]!]), false);
  assert.equal(sameImages(a, [{ names: ['a:1', 'a:2'], sizeBytes: 1 }, a[1]!]), false);
  assert.equal(sameImages(a, [{ names: ['a:1'], sizeBytes: 3 }, a[1]!]), false);
});
