/**
 * The OpenAPI a test extension server publishes for its Flight kind, shaped as k8s.io/apiserver's
 * generated documents are: the kind tagged with x-kubernetes-group-version-kind, its spec a separate
 * definition, metadata a reference to the extension's own (smaller) ObjectMeta, paths only under
 * /apis/. The v2 document also carries a path outside /apis/ (the aggregator filters it out, with the
 * definitions only it uses) and its own ObjectMeta, which differs from the API server's and so is
 * renamed when merged (MergeSpecsIgnorePathConflictRenamingDefinitionsAndParameters).
 */
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const FLIGHT_DESTINATION_DOC = 'IATA code of the airport the flight lands at (agg-test).';

export function flightOpenApi(group: string, version: string): { v2: object; v3: object } {
  const prefix = `com.example.aggtest.${version}`;
  const gvk = [{ group, version, kind: 'Flight' }];
  const defs = (refBase: string, wrap: (ref: string) => object): Record<string, object> => ({
    [`${prefix}.Flight`]: {
      type: 'object', description: 'Flight is one scheduled flight of the test extension.',
      properties: {
        apiVersion: { type: 'string', description: 'APIVersion of the object.' }, kind: { type: 'string', description: 'Kind of the object.' },
        metadata: wrap(`${refBase}${META}.ObjectMeta`), spec: wrap(`${refBase}${prefix}.FlightSpec`),
      },
      'x-kubernetes-group-version-kind': gvk,
    },
    [`${prefix}.FlightSpec`]: {
      type: 'object', description: 'FlightSpec is where a flight goes.',
      properties: { destination: { type: 'string', description: FLIGHT_DESTINATION_DOC }, seats: { type: 'integer', format: 'int32', description: 'Seats on board.' } },
    },
    [`${META}.ObjectMeta`]: { type: 'object', description: 'The extension\'s ObjectMeta.', properties: { name: { type: 'string' }, namespace: { type: 'string' } } },
  });
  const listPath = `/apis/${group}/${version}/namespaces/{namespace}/flights`;
  const op = (ref: string): object => ({ operationId: 'listFlights', 'x-kubernetes-action': 'list', 'x-kubernetes-group-version-kind': gvk[0], responses: { 200: { description: 'OK', schema: { $ref: ref } } } });
  return {
    v2: {
      swagger: '2.0', info: { title: 'agg-test', version: 'v0' },
      paths: {
        [listPath]: { get: op(`#/definitions/${prefix}.Flight`) },
        '/version': { get: { operationId: 'getCode', responses: { 200: { description: 'OK', schema: { $ref: '#/definitions/com.example.aggtest.VersionInfo' } } } } },
      },
      definitions: { ...defs('#/definitions/', (ref) => ({ $ref: ref })), 'com.example.aggtest.VersionInfo': { type: 'object', properties: { gitVersion: { type: 'string' } } } },
    },
    v3: {
      openapi: '3.0.0', info: { title: 'agg-test', version: 'v0' },
      paths: { [listPath]: { get: { operationId: 'listFlights', 'x-kubernetes-action': 'list', 'x-kubernetes-group-version-kind': gvk[0], responses: { 200: { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${prefix}.Flight` } } } } } } } },
      components: { schemas: defs('#/components/schemas/', (ref) => ({ allOf: [{ $ref: ref }], default: {} })) },
    },
  };
}
