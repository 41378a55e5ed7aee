/**
 * spec.conversion of a CustomResourceDefinition, as apiextensions' validateCustomResourceConversion
 * (pkg/apis/apiextensions/validation/validation.go, v1.32). Field paths are upstream's internal ones
 * (spec.conversion.webhookClientConfig, spec.conversion.conversionReviewVersions), as kube-apiserver
 * reports them: strategy Webhook needs a client config with exactly one of url (https, a host, no
 * user, query or fragment) or service (name, namespace, port 1-65535, a path starting with '/'),
 * and review versions that are DNS-1035 labels, unique, including one the server speaks (v1,
 * v1beta1); strategy None takes neither.
 */
import { fe } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';

interface ClientConfig {
  url?: string;
  service?: { name?: string; namespace?: string; path?: string; port?: number };
  caBundle?: string;
}

export interface CrdConversion {
  strategy?: string;
  webhook?: { clientConfig?: ClientConfig; conversionReviewVersions?: string[] };
}

const ACCEPTED = ['v1', 'v1beta1'];
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const AT = 'spec.conversion';

/** SetDefaults_ServiceReference: a service's port is 443. */
export function defaultConversion(c: CrdConversion | undefined): void {
  const svc = c?.webhook?.clientConfig?.service;
  if (svc) svc.port ??= 443;
}

export function validateConversion(c: CrdConversion | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!c) return errs;
  if (c.strategy !== 'Webhook') {
    if (c.webhook?.clientConfig) errs.push(fe.forbidden(`${AT}.webhookClientConfig`, 'should not be set when strategy is not set to Webhook'));
    if ((c.webhook?.conversionReviewVersions ?? []).length > 0) errs.push(fe.forbidden(`${AT}.conversionReviewVersions`, 'should not be set when strategy is not set to Webhook'));
    return errs;
  }
  const cc = c.webhook?.clientConfig;
  if (!cc) errs.push(fe.required(`${AT}.webhookClientConfig`, 'required when strategy is set to Webhook'));
  else if (!cc.url === !cc.service) errs.push(fe.required(`${AT}.webhookClientConfig`, 'exactly one of url or service is required'));
  else if (cc.url) errs.push(...urlErrors(cc.url));
  else errs.push(...serviceErrors(cc.service!));
  errs.push(...reviewVersionErrors(c.webhook?.conversionReviewVersions ?? []));
  return errs;
}

/** webhook.ValidateWebhookURL with forceHttps. */
function urlErrors(url: string): FieldError[] {
  const at = `${AT}.webhookClientConfig.url`;
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    return [fe.invalid(at, url, `url must be a valid URL: ${(err as Error).message}`)];
  }
  const errs: FieldError[] = [];
  if (u.protocol !== 'https:') errs.push(fe.invalid(at, url, "'https' is the only allowed URL scheme"));
  if (!u.host) errs.push(fe.invalid(at, url, 'host must be specified'));
  if (u.username || u.password) errs.push(fe.invalid(at, url, 'user information is not permitted in the URL'));
  if (u.hash || url.includes('#')) errs.push(fe.invalid(at, url, 'fragments are not permitted in the URL'));
  if (u.search || url.includes('?')) errs.push(fe.invalid(at, url, 'query parameters are not permitted in the URL'));
  return errs;
}

/** webhook.ValidateWebhookService. */
function serviceErrors(svc: NonNullable<ClientConfig['service']>): FieldError[] {
  const at = `${AT}.webhookClientConfig.service`;
  const errs: FieldError[] = [];
  if (!svc.name) errs.push(fe.required(`${at}.name`, 'service name is required'));
  if (!svc.namespace) errs.push(fe.required(`${at}.namespace`, 'service namespace is required'));
  const port = svc.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) errs.push(fe.invalid(`${at}.port`, port, 'port is not valid: must be between 1 and 65535, inclusive'));
  if (svc.path !== undefined && svc.path !== '' && !svc.path.startsWith('/')) errs.push(fe.invalid(`${at}.path`, svc.path, "must start with a '/'"));
  return errs;
}

/** validateConversionReviewVersions with requireRecognizedVersion. */
function reviewVersionErrors(versions: string[]): FieldError[] {
  const at = `${AT}.conversionReviewVersions`;
  if (versions.length === 0) return [fe.required(at, '')];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(fe.invalid(`${at}[${i}]`, v, 'duplicate version'));
      return;
    }
    seen.add(v);
    if (!DNS1035.test(v) || v.length > 63) errs.push(fe.invalid(`${at}[${i}]`, v, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
  });
  if (!versions.some((v) => ACCEPTED.includes(v))) errs.push(fe.invalid(at, versions, `must include at least one of ${ACCEPTED.join(', ')}`));
  return errs;
}
