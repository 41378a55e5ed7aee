/** Rules shared by Deployment and ReplicaSet specs (ValidateDeploymentSpec / ValidateReplicaSetSpec). */
import { child, fe, goStringMap, invalidRendered } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import type { PodTemplateSpec } from '../core/pod-spec.js';
import { goLabelSelector } from '../meta/go-format.js';
import { selectorMatches, validateLabelSelector, type LabelSelector } from '../meta/label-selector.js';
import { validateAnnotations, validateLabels } from '../meta/validation.js';

/** Selector present, non-empty, matching the template's labels; template restartPolicy Always. */
export function validateSelectorAndTemplate(kind: string, selector: LabelSelector | undefined, template: PodTemplateSpec | undefined, replicas: number | undefined, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  if (replicas !== undefined && replicas < 0) errs.push(fe.invalid(child(path, 'replicas'), replicas, 'must be greater than or equal to 0'));
  if (!selector) {
    errs.push(fe.required(child(path, 'selector')));
  } else {
    errs.push(...validateLabelSelector(selector, child(path, 'selector')));
    const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
    if (empty) errs.push(invalidRendered(child(path, 'selector'), goLabelSelector(selector), `empty selector is invalid for ${kind}`));
  }
  if (!template) {
    errs.push(fe.required(child(path, 'template')));
    return errs;
  }
  const tpath = child(path, 'template');
  const labels = template.metadata?.labels;
  errs.push(...validateLabels(labels, child(child(tpath, 'metadata'), 'labels')));
  errs.push(...validateAnnotations(template.metadata?.annotations, child(child(tpath, 'metadata'), 'annotations')));
  if (selector) {
    const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
    if (!empty && !selectorMatches(selector, labels)) {
      errs.push(invalidRendered(child(child(tpath, 'metadata'), 'labels'), goStringMap(labels), '`selector` does not match template `labels`'));
    }
  }
  const spec = template.spec;
  if (spec) {
    if (spec.restartPolicy && spec.restartPolicy !== 'Always') errs.push(fe.notSupported(child(child(tpath, 'spec'), 'restartPolicy'), spec.restartPolicy, ['Always']));
    if (spec.activeDeadlineSeconds !== undefined) errs.push(fe.forbidden(child(child(tpath, 'spec'), 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

/** spec.selector may not change after creation (apps/v1). */
export function validateSelectorImmutable(selector: LabelSelector | undefined, old: LabelSelector | undefined): FieldError[] {
  if (JSON.stringify(normalize(selector)) === JSON.stringify(normalize(old))) return [];
  return [invalidRendered('spec.selector', goLabelSelector(selector), 'field is immutable')];
}

function normalize(sel: LabelSelector | undefined): unknown {
  if (!sel) return null;
  const ml = sel.matchLabels ?? {};
  return { ml: Object.keys(ml).sort().map((k) => [k, ml[k]]), me: sel.matchExpressions ?? [] };
}

/** An IntOrString as ValidatePositiveIntOrPercent / IsNotMoreThan100Percent see it. */
export function intOrPercent(v: number | string | undefined, path: string): { errs: FieldError[]; zero: boolean } {
  if (v === undefined) return { errs: [], zero: false };
  if (typeof v === 'number') return { errs: v < 0 ? [fe.invalid(path, v, 'must be greater than or equal to 0')] : [], zero: v === 0 };
  const m = /^(\d+)%$/.exec(v);
  if (!m) return { errs: [fe.invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")], zero: false };
  const n = Number(m[1]);
  return { errs: n > 100 ? [fe.invalid(path, v, 'must not be greater than 100%')] : [], zero: n === 0 };
}
