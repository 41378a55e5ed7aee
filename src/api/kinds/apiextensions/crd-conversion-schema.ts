/**
 * apiextensions.k8s.io/v1 WebhookConversion (spec.conversion.webhook of a CRD) and its
 * WebhookClientConfig and ServiceReference, typed as upstream's, so that a bad caBundle is the
 * decoder's 400 (base64) and unknown fields under it are reported as under any typed field.
 */
import { s } from '../../schema/builders.js';

const API = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

const serviceReference = s.object({
  namespace: s.string('namespace is the namespace of the service. Required'),
  name: s.string('name is the name of the service. Required'),
  path: s.string('path is an optional URL path at which the webhook will be contacted.'),
  port: s.int('port is an optional service port at which the webhook will be contacted. `port` should be a valid port number (1-65535, inclusive). Defaults to 443 for backward compatibility.'),
}, { name: `${API}.ServiceReference`, required: ['namespace', 'name'], description: 'ServiceReference holds a reference to Service.legacy.k8s.io' });

const clientConfig = s.object({
  url: s.string('url gives the location of the webhook, in standard URL form (`scheme://host:port/path`). Exactly one of `url` or `service` must be specified.'),
  service: { ...serviceReference, description: 'service is a reference to the service for this webhook. Either service or url must be specified.\n\nIf the webhook is running within the cluster, then you should use `service`.' },
  caBundle: s.bytes('caBundle is a PEM encoded CA bundle which will be used to validate the webhook\'s server certificate. If unspecified, system trust roots on the apiserver are used.'),
}, { name: `${API}.WebhookClientConfig`, description: 'WebhookClientConfig contains the information to make a TLS connection with the webhook.' });

export const webhookConversionSchema = s.object({
  clientConfig: { ...clientConfig, description: 'clientConfig is the instructions for how to call the webhook if strategy is `Webhook`.' },
  conversionReviewVersions: s.array(s.string(), { listType: 'atomic', description: 'conversionReviewVersions is an ordered list of preferred `ConversionReview` versions the Webhook expects. The API server will use the first version in the list which it supports. If none of the versions specified in this list are supported by API server, conversion will fail for the custom resource. If a persisted Webhook configuration specifies allowed versions and does not include any versions known to the API Server, calls to the webhook will fail.' }),
}, { name: `${API}.WebhookConversion`, required: ['conversionReviewVersions'], description: 'WebhookConversion describes how to call a conversion webhook' });
