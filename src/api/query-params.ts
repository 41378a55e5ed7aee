/**
 * Query parameter values as Kubernetes decodes them into its options structs (ListOptions,
 * PatchOptions, DeleteOptions, PodLogOptions, PodExecOptions, ...): apimachinery's
 * runtime.Convert_Slice_string_To_bool / _Pointer_bool and Convert_Slice_string_To_int64
 * (pkg/runtime/conversion.go). Every server-side reader of a boolean or integer parameter (the API
 * server and the node agent) uses these, so `watch=False` (how the Python client spells it) means
 * what it means to kube-apiserver and the kubelet. Only the first value of a repeated parameter
 * counts, as there.
 */
import { errors } from './status.js';

/**
 * A boolean parameter: `undefined` when absent (the caller's default); false for "0" or any case of
 * "false" (Go's strings.EqualFold, which Unicode case folding with the `iu` flags matches); true for
 * anything else, the empty value included (`?watch` is a watch).
 */
export function queryBool(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return !(v === '0' || /^false$/iu.test(v));
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * An integer parameter, as strconv.ParseInt(v, 10, 64): optional sign and decimal digits only
 * ("1.0", "1e3", "0x10", " 5" and the empty value are errors), within int64. `undefined` when
 * absent; a 400 naming the parameter otherwise.
 */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[+-]?[0-9]+$/.test(v)) throw errors.badRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n < INT64_MIN || n > INT64_MAX) throw errors.badRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(n);
}
