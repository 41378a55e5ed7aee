/**
 * Service account key files as kube-apiserver reads them (client-go keyutil, pkg/serviceaccount):
 * keys made by openssl in every encoding upstream accepts, their key ids checked against openssl's
 * own SHA-256 of the public key's DER (upstream's keyIDFromPublicKey), their algorithms
 * (algorithmFromPublicKey), several keys in one file, non-key blocks skipped, other key types
 * refused with upstream's messages.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePrivateKeyPem, parsePublicKeysPem, privateKeyFromFile, publicKeysFromFile } from './key-files.js';

const dir = mkdtempSync(join(tmpdir(), 'bosun-sakeys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const openssl = (args: string[], input?: string | Buffer): Buffer => execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
const text = (args: string[], input?: string): string => openssl(args, input).toString();
/** The key id computed by openssl alone: base64url(SHA-256(SubjectPublicKeyInfo DER)), unpadded. */
const opensslKid = (pem: string): string =>
  openssl(['dgst', '-sha256', '-binary'], openssl(['pkey', '-pubout', '-outform', 'DER'], pem)).toString('base64url');

const rsaPkcs1 = text(['genrsa', '-traditional', '2048']);
const ecSec1 = text(['ecparam', '-genkey', '-name', 'prime256v1']); // EC PARAMETERS, then EC PRIVATE KEY
const ecPkcs8P384 = text(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']);
const ecP521 = text(['ecparam', '-genkey', '-noout', '-name', 'secp521r1']);

describe('service account key files', () => {
  test('an RSA key in each encoding has openssl\'s key id and RS256', () => {
    const kid = opensslKid(rsaPkcs1);
    const pkcs8 = text(['pkcs8', '-topk8', '-nocrypt'], rsaPkcs1);
    const spki = text(['rsa', '-pubout'], rsaPkcs1);
    const pkcs1Public = text(['rsa', '-RSAPublicKey_out'], rsaPkcs1);
    const keyFile = join(dir, 'rsa.key');
    writeFileSync(keyFile, rsaPkcs1);
    const cert = text(['req', '-x509', '-new', '-key', keyFile, '-subj', '/CN=sa', '-days', '1']);
    assert.match(pkcs1Public, /BEGIN RSA PUBLIC KEY/);
    for (const [what, pem] of [['PKCS#1 private', rsaPkcs1], ['PKCS#8 private', pkcs8], ['SPKI public', spki], ['PKCS#1 public', pkcs1Public], ['certificate', cert]]) {
      const keys = parsePublicKeysPem(pem!);
      assert.equal(keys.length, 1, what);
      assert.equal(keys[0]!.kid, kid, what);
      assert.equal(keys[0]!.alg, 'RS256', what);
    }
    const signing = parsePrivateKeyPem(pkcs8);
    assert.equal(signing.kid, kid);
    assert.equal(signing.alg, 'RS256');
    assert.equal(parsePrivateKeyPem(rsaPkcs1).kid, kid);
  });

  test('ECDSA keys sign with ES256/ES384/ES512 by curve; a SEC1 file\'s EC PARAMETERS block is skipped', () => {
    assert.match(ecSec1, /BEGIN EC PARAMETERS[\s\S]*BEGIN EC PRIVATE KEY/);
    const p256 = parsePrivateKeyPem(ecSec1);
    assert.deepEqual([p256.alg, p256.kid], ['ES256', opensslKid(ecSec1)]);
    const p384 = parsePrivateKeyPem(ecPkcs8P384);
    assert.deepEqual([p384.alg, p384.kid], ['ES384', opensslKid(ecPkcs8P384)]);
    assert.equal(parsePrivateKeyPem(ecP521).alg, 'ES512');
    const pub = parsePublicKeysPem(text(['ec', '-pubout'], ecSec1));
    assert.deepEqual(pub.map((k) => [k.alg, k.kid]), [['ES256', p256.kid]]);
  });

  test('one file holds several keys, in order; text between blocks is ignored', () => {
    const file = join(dir, 'bundle.pem');
    writeFileSync(file, `# the new key\n${text(['ec', '-pubout'], ecSec1)}\nsome comment\n${text(['rsa', '-pubout'], rsaPkcs1)}${ecP521}`);
    const keys = publicKeysFromFile(file);
    assert.deepEqual(keys.map((k) => k.alg), ['ES256', 'RS256', 'ES512']);
    assert.deepEqual(keys.map((k) => k.kid), [opensslKid(ecSec1), opensslKid(rsaPkcs1), opensslKid(ecP521)]);
  });

  test('other key types and files without keys are refused with upstream\'s messages, naming the file', () => {
    const ed = text(['genpkey', '-algorithm', 'ed25519']);
    assert.throws(() => parsePublicKeysPem(ed), /data does not contain any valid RSA or ECDSA public keys/);
    assert.throws(() => parsePrivateKeyPem(ed), /data does not contain a valid RSA or ECDSA private key/);
    const p224 = text(['ecparam', '-genkey', '-noout', '-name', 'secp224r1']);
    assert.throws(() => parsePrivateKeyPem(p224), /unknown private key curve, must be 256, 384, or 521/);
    const pubOnly = join(dir, 'public-only.pem');
    writeFileSync(pubOnly, text(['rsa', '-pubout'], rsaPkcs1));
    assert.throws(() => privateKeyFromFile(pubOnly), new RegExp(`error reading private key file ${pubOnly}: data does not contain a valid RSA or ECDSA private key`));
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a key\n');
    assert.throws(() => publicKeysFromFile(garbage), new RegExp(`error reading public key file ${garbage}: data does not contain any valid RSA or ECDSA public keys`));
    assert.throws(() => publicKeysFromFile(join(dir, 'absent.pem')), /cannot read service account key file .*absent\.pem: ENOENT/);
  });
});
