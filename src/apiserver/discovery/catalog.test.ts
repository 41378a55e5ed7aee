/** The catalog serves resources added and removed at run time (custom resources) and says when it changed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../api/registry.js';
import { MemoryStore } from '../../store/memory.js';
import { GenericStorage } from '../storage/generic-storage.js';
import { createStorages } from '../storage/storage-set.js';
import { ApiCatalog } from './catalog.js';
import { apiResourceList } from './legacy.js';

test('catalog: add and remove a resource at run time; discovery and listeners follow', async () => {
  const store = new MemoryStore();
  try {
    const set = createStorages(store, registry);
    const catalog = new ApiCatalog(set.all(), set.allActions());
    let changes = 0;
    const off = catalog.onChange(() => changes++);
    const cm = registry.byResource('', 'v1', 'configmaps')!;
    const widgets = { ...cm, group: 'example.com', version: 'v1', kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' };
    assert.equal(catalog.resolve('example.com', 'v1', 'widgets'), undefined);
    catalog.add(new GenericStorage(store, widgets));
    assert.equal(catalog.resolve('example.com', 'v1', 'widgets')?.def.kind, 'Widget');
    assert.deepEqual(catalog.groups().get('example.com'), ['v1']);
    assert.equal((apiResourceList(catalog, 'example.com', 'v1') as { resources: { name: string }[] }).resources[0]!.name, 'widgets');
    assert.equal(catalog.remove('example.com', 'v1', 'widgets'), true);
    assert.equal(catalog.remove('example.com', 'v1', 'widgets'), false);
    assert.equal(catalog.resolve('example.com', 'v1', 'widgets'), undefined);
    assert.equal(apiResourceList(catalog, 'example.com', 'v1'), undefined);
    assert.equal(changes, 2);
    off();
    catalog.add(new GenericStorage(store, widgets));
    assert.equal(changes, 2);
  } finally {
    await store.close();
  }
});
