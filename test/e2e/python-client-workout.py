"""The official Python client (Debian's python3-kubernetes) through what its README and a custom
scheduler do: list (watch=False), watch with timeout_seconds and resource_version, strategic, merge
and JSON patches, server-side apply taking ownership with force=True, delete with
orphanDependents=True, and create_namespaced_binding.

Usage: python3 python-client-workout.py KUBECONFIG NAMESPACE CACHE_DIR
Prints one JSON object: each step's result, or {"error": ...} for a step that failed. The test
(python-client.test.ts) checks the results; this script asserts nothing itself. Every request has a
client-side timeout, so a server that never answers fails a step instead of hanging the test.
"""
import json
import os
import sys

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import DynamicClient

KUBECONFIG, NS, CACHE_DIR = sys.argv[1], sys.argv[2], sys.argv[3]
TIMEOUT = 20  # seconds, per request

config.load_kube_config(config_file=KUBECONFIG)
api = client.ApiClient()
core = client.CoreV1Api(api)
# The dynamic client caches discovery in a file; keep it in the test's own temporary folder.
dyn = DynamicClient(api, cache_file=os.path.join(CACHE_DIR, 'discovery.json'))
results = {}


def step(name):
    def run(fn):
        try:
            results[name] = fn()
        except ApiException as e:
            body = e.body.decode('utf-8', 'replace') if isinstance(e.body, bytes) else (e.body or '')
            results[name] = {'error': 'ApiException', 'status': e.status, 'body': body[:500]}
        except Exception as e:  # noqa: BLE001 - a client-side failure (e.g. a timeout) is a result too
            results[name] = {'error': type(e).__name__, 'message': str(e)[:500]}
        return fn
    return run


def cm(name, data, owner=None):
    meta = client.V1ObjectMeta(name=name)
    if owner is not None:
        meta.owner_references = [client.V1OwnerReference(
            api_version='v1', kind='ConfigMap', name=owner.metadata.name, uid=owner.metadata.uid)]
    return client.V1ConfigMap(metadata=meta, data=data)


core.create_namespaced_config_map(NS, cm('py-list', {'a': '1'}), _request_timeout=TIMEOUT)


@step('list')
def _list():
    # The README's first example: the client sends watch=False.
    ret = core.list_namespaced_config_map(NS, watch=False, _request_timeout=TIMEOUT)
    return {'names': sorted(i.metadata.name for i in ret.items), 'resourceVersion': ret.metadata.resource_version}


@step('watch')
def _watch():
    rv = core.list_namespaced_config_map(NS, _request_timeout=TIMEOUT).metadata.resource_version
    core.create_namespaced_config_map(NS, cm('py-watched', {'b': '2'}), _request_timeout=TIMEOUT)
    events = []
    w = watch.Watch()
    # timeout_seconds: the server ends the stream; the loop then returns by itself.
    for ev in w.stream(core.list_namespaced_config_map, NS, resource_version=rv, timeout_seconds=2,
                       allow_watch_bookmarks=True, _request_timeout=TIMEOUT):
        obj = ev['object']  # a model, or for BOOKMARK the raw dict
        name = obj.metadata.name if hasattr(obj, 'metadata') else (obj.get('metadata') or {}).get('name')
        events.append('%s:%s' % (ev['type'], name))
    return {'events': events}


@step('listPaged')
def _list_paged():
    # Two objects now (py-list, py-watched): limit=1 leaves a continue token.
    first = core.list_namespaced_config_map(NS, limit=1, _request_timeout=TIMEOUT)
    return {'items': len(first.items), 'continue': bool(first.metadata._continue)}


core.create_namespaced_config_map(NS, cm('py-patch', {'a': '1'}), _request_timeout=TIMEOUT)
cms = dyn.resources.get(api_version='v1', kind='ConfigMap')


@step('strategicPatch')
def _strategic():
    # A dict body: the client sends application/strategic-merge-patch+json.
    r = core.patch_namespaced_config_map('py-patch', NS, {'data': {'s': 'strategic'}}, _request_timeout=TIMEOUT)
    return {'data': r.data}


@step('mergePatch')
def _merge():
    r = cms.patch(name='py-patch', namespace=NS, body={'data': {'a': None, 'm': 'merge'}},
                  content_type='application/merge-patch+json', _request_timeout=TIMEOUT)
    return {'data': dict(r.data)}


@step('jsonPatch')
def _json_patch():
    # A list body: application/json-patch+json.
    r = core.patch_namespaced_config_map('py-patch', NS, [{'op': 'add', 'path': '/data/j', 'value': 'json'}],
                                         _request_timeout=TIMEOUT)
    return {'data': r.data}


def apply(manager, value, force):
    body = json.dumps({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'py-apply'}, 'data': {'key': value}})
    query = [('fieldManager', manager)]
    if force is not None:
        query.append(('force', force))
    resp = api.call_api('/api/v1/namespaces/{namespace}/configmaps/{name}', 'PATCH',
                        path_params={'namespace': NS, 'name': 'py-apply'}, query_params=query,
                        header_params={'Content-Type': 'application/apply-patch+yaml', 'Accept': 'application/json'},
                        body=body, response_type='object', auth_settings=['BearerToken'],
                        _return_http_data_only=False, _request_timeout=TIMEOUT)
    obj, code = resp[0], resp[1]
    return {'code': code, 'data': obj['data'],
            'managers': sorted(m['manager'] for m in obj['metadata']['managedFields'] if 'f:data' in json.dumps(m.get('fieldsV1', {})))}


@step('applyFirst')
def _apply_first():
    return apply('py-owner-a', 'a', None)


@step('applyConflict')
def _apply_conflict():
    return apply('py-owner-b', 'b', False)


@step('applyForce')
def _apply_force():
    return apply('py-owner-b', 'b', True)


owner = core.create_namespaced_config_map(NS, cm('py-owner', {'o': '1'}), _request_timeout=TIMEOUT)
core.create_namespaced_config_map(NS, cm('py-dependent', {'d': '1'}, owner), _request_timeout=TIMEOUT)


@step('deleteOrphan')
def _delete_orphan():
    # The server answers with the owner, kept with the orphan finalizer until the garbage collector
    # has removed the dependents' references to it.
    r = core.delete_namespaced_config_map('py-owner', NS, orphan_dependents=True, _preload_content=False,
                                          _request_timeout=TIMEOUT)
    obj = json.loads(r.data)
    return {'code': r.status, 'finalizers': obj['metadata'].get('finalizers', []),
            'deleting': bool(obj['metadata'].get('deletionTimestamp'))}


core.create_namespaced_pod(NS, client.V1Pod(
    metadata=client.V1ObjectMeta(name='py-unscheduled'),
    spec=client.V1PodSpec(scheduler_name='py-scheduler', containers=[client.V1Container(name='c', image='busybox')])),
    _request_timeout=TIMEOUT)


@step('binding')
def _binding():
    # What a custom scheduler does. The answer is a Status, which this client cannot read as the
    # V1Binding it declares (upstream answers the same), so the raw response is read.
    body = client.V1Binding(metadata=client.V1ObjectMeta(name='py-unscheduled'),
                            target=client.V1ObjectReference(api_version='v1', kind='Node', name='py-node'))
    r = core.create_namespaced_binding(NS, body, _preload_content=False, _request_timeout=TIMEOUT)
    pod = core.read_namespaced_pod('py-unscheduled', NS, _request_timeout=TIMEOUT)
    return {'code': r.status, 'nodeName': pod.spec.node_name}


print(json.dumps(results))
