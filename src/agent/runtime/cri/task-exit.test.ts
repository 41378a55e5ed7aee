import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage } from '../../grpc/proto-codec.js';
import { ProtoWriter, WireType } from '../../grpc/proto-wire.js';
import { EVENTS_SCHEMA } from './client.js';
import { ANY_SCHEMA, TASK_EVENTS_SCHEMA, exitedTask } from './task-exit.js';

/**
 * containerd's Envelope for a task event, as its events service sends it: namespace, topic and the
 * event as a google.protobuf.Any whose type URL containerd's typeurl registry gives (the bare type
 * name for its own events). The Any is appended as field 4, as protobuf merges concatenated fields.
 */
function envelope(topic: string, typeUrl: string, exit: { containerId: string; id: string }): Buffer {
  const head = encodeMessage(EVENTS_SCHEMA, 'Envelope', { namespace: 'k8s.io', topic });
  const any = encodeMessage(ANY_SCHEMA, 'Any', { typeUrl, value: encodeMessage(TASK_EVENTS_SCHEMA, 'TaskExit', exit) });
  return Buffer.concat([head, new ProtoWriter().tag(4, WireType.LEN).bytes(any).finish()]);
}

describe('exitedTask', () => {
  it('names the container whose main process exited', () => {
    assert.equal(exitedTask('/tasks/exit', envelope('/tasks/exit', 'containerd.events.TaskExit', { containerId: 'c1', id: 'c1' })), 'c1');
    assert.equal(exitedTask('/tasks/exit', envelope('/tasks/exit', 'type.googleapis.com/containerd.events.TaskExit', { containerId: 'c1', id: 'c1' })), 'c1');
  });

  it('names nothing for an exec\'d process\'s exit, another topic or another payload', () => {
    assert.equal(exitedTask('/tasks/exit', envelope('/tasks/exit', 'containerd.events.TaskExit', { containerId: 'c1', id: 'exec-7' })), undefined);
    assert.equal(exitedTask('/tasks/delete', envelope('/tasks/delete', 'containerd.events.TaskDelete', { containerId: 'c1', id: 'c1' })), undefined);
    assert.equal(exitedTask('/tasks/exit', envelope('/tasks/exit', 'containerd.events.TaskOOM', { containerId: 'c1', id: 'c1' })), undefined);
    assert.equal(exitedTask('/tasks/exit', encodeMessage(EVENTS_SCHEMA, 'Envelope', { namespace: 'k8s.io', topic: '/tasks/exit' })), undefined);
    const exit = envelope('/tasks/exit', 'containerd.events.TaskExit', { containerId: 'c1', id: 'c1' });
    assert.equal(exitedTask('/tasks/exit', exit.subarray(0, exit.length - 2)), undefined, 'cut short');
  });
});
