/**
 * The decoding walk as sigs.k8s.io/json's decoder reports a built-in body (internal/golang/encoding/json/decode.go):
 * the first saved error in document order, an Unmarshaler's error winning, Go's path and type names.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { s } from './builders.js';
import { converterMessage, decoderMessage, firstDecodeFailure } from './decode-errors.js';

const root = s.object({
  data: s.map(s.bytes()),
  text: s.string(),
  certs: s.array(s.object({ caBundle: s.bytes(), port: s.intOrString() }, { name: 'io.k8s.api.x.v1.Cert' })),
  count: s.int(),
  big: s.int64(),
  when: s.time(),
  loose: s.loose({}),
  limits: s.map(s.quantity()),
}, { name: 'io.k8s.api.x.v1.Thing' });

const msg = (v: unknown): string | undefined => {
  const f = firstDecodeFailure(root, v);
  return f && decoderMessage(f);
};

test('only format byte fields are checked as base64, through objects, arrays and maps', () => {
  assert.equal(msg({ data: { a: 'YWJj' }, text: '<not base64>', certs: [{ caBundle: 'YQ==' }] }), undefined);
  assert.equal(msg({ certs: [{ caBundle: '<base64-encoded-CA-bundle>' }] }), 'illegal base64 data at input byte 0');
  assert.equal(msg({ data: { 'tls.crt': 'REPLACE_WITH_BASE64_CERT' } }), 'illegal base64 data at input byte 7');
});

test('type errors: the value kind, the innermost struct, the field path without indices, the Go type', () => {
  assert.equal(msg({ apiVersion: 5, kind: [], text: null, count: null, certs: [null] }), undefined, 'null decodes into anything; apiVersion and kind are read elsewhere');
  assert.equal(msg({ text: 5 }), 'json: cannot unmarshal number into Go struct field Thing.text of type string');
  assert.equal(msg({ count: 2147483648 }), 'json: cannot unmarshal number 2147483648 into Go struct field Thing.count of type int32');
  assert.equal(msg({ big: 2147483648 }), undefined);
  assert.equal(msg({ certs: {} }), 'json: cannot unmarshal object into Go struct field Thing.certs of type []v1.Cert');
  assert.equal(msg({ certs: [{}, { caBundle: true }] }), 'json: cannot unmarshal bool into Go struct field Cert.certs.caBundle of type []uint8');
  assert.equal(msg({ data: { a: 1 } }), 'json: cannot unmarshal number into Go struct field Thing.data of type []uint8');
  assert.equal(msg({ loose: 'x' }), 'json: cannot unmarshal string into Go struct field Thing.loose of type struct {}');
  assert.equal(msg({ loose: { anything: [1] } }), undefined);
  // The first saved error is reported...
  assert.equal(msg({ text: 1, count: 'x' }), 'json: cannot unmarshal number into Go struct field Thing.text of type string');
  // ...unless an Unmarshaler (IntOrString, metav1.Time) fails later: decoding stops there.
  assert.equal(msg({ text: 1, certs: [{ port: 1.5 }] }), 'json: cannot unmarshal number 1.5 into Go struct field Cert.certs.port of type int32');
  assert.equal(msg({ text: 1, when: 7 }), 'json: cannot unmarshal number into Go struct field Thing.when of type string');
});

test('quantities: resource.Quantity.UnmarshalJSON parses the trimmed string (ParseQuantity) or the number', () => {
  for (const ok of ['500m', '1.5Gi', '2', '+1', '-0.5', '1e3', '.5', ' 1Mi ', '100u']) assert.equal(msg({ limits: { cpu: ok } }), undefined, ok);
  assert.equal(msg({ limits: { cpu: 1.5 } }), undefined);
  const format = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  assert.equal(msg({ limits: { cpu: 'abc' } }), format);
  assert.equal(msg({ limits: { cpu: '' } }), format);
  assert.equal(msg({ limits: { cpu: true } }), format);
  assert.equal(msg({ limits: { cpu: '1Q' } }), format);
  assert.equal(msg({ limits: { cpu: '1ki' } }), "unable to parse quantity's suffix");
  assert.equal(msg({ limits: { cpu: '.' } }), 'unable to parse numeric part of quantity');
});

test('the unstructured converter words a strategic merge patch result', () => {
  const conv = (v: unknown): string | undefined => {
    const f = firstDecodeFailure(root, v);
    return f && converterMessage(f);
  };
  assert.equal(conv({ certs: 'x' }), 'cannot restore slice from string');
  assert.equal(conv({ data: [] }), 'cannot restore map from slice');
  assert.equal(conv({ certs: [5] }), 'cannot restore struct from: int64');
  assert.equal(conv({ text: 5 }), 'cannot convert int64 to string');
  assert.equal(conv({ text: true }), 'unrecognized type: string');
  assert.equal(conv({ count: 'x' }), 'unrecognized type: int32');
  assert.equal(conv({ count: 1.5 }), 'cannot convert float64 to int32');
  assert.equal(conv({ certs: [{ port: {} }] }), 'json: cannot unmarshal object into Go value of type int32');
  assert.equal(conv({ data: { a: '%' } }), 'error decoding from json: illegal base64 data at input byte 0');
});
