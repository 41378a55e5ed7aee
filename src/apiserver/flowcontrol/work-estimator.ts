/**
 * How many seats a request occupies, as kube-apiserver's work estimator
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/request: width.go, config.go,
 * list_work_estimator.go, mutating_work_estimator.go, v1.32):
 * - list and watch: one seat per 100 objects the read processes, from the stored count of the
 *   resource (object-count-tracker.ts): the whole count for reads served as from the watch cache
 *   (resourceVersion "0" or not older than, and watches with sendInitialEvents), twice the page
 *   (`limit`, else the count) for reads from storage, the count plus the page with a label or field
 *   selector; a read of one named object (`fieldSelector=metadata.name=x`) and a watch without
 *   sendInitialEvents one seat. An unknown resource (aggregated, or a typo) is one seat, a count
 *   gone stale or options that do not convert the maximum.
 * - create, update, patch, delete: one seat while executing, then ceil(watchers / 10) final seats
 *   for 5 ms per 10 watchers (the events' fan-out, watch-tracker.ts) when at least 10 watches may
 *   be interested; the final seats capped and the latency stretched to keep the work.
 * - anything else (get, deletecollection, non-resource requests): one seat.
 * Seats are capped by the level's max seats (MAX(1, MIN(ceil(0.15 * nominalCL), nominalCL /
 * handSize)), apf_controller.go) and by 10 (MaximumSeatsLimit).
 * Bosun has no watch cache: every list reads the store. The from-cache cases are kept as upstream
 * decides them (shouldListFromStorage with consistent reads from storage, as an apiserver whose etcd
 * cannot serve progress notifications), so the seats charged are upstream's for the same request.
 */
import type { RequestDigest } from './classify.js';
import type { ObjectCountTracker } from './object-count-tracker.js';
import type { WatchTracker } from './watch-tracker.js';

export const MINIMUM_SEATS = 1;
/** MaximumSeatsLimit (the work_estimated_seats buckets end there). */
export const MAXIMUM_SEATS = 10;
const OBJECTS_PER_SEAT = 100;
const WATCHES_PER_SEAT = 10;
/** eventAdditionalDuration, per final seat (ms). */
const EVENT_ADDITIONAL_MS = 5;

/** WorkEstimate: seats while executing; final seats held for additionalLatencyMs after the response. */
export interface WorkEstimate {
  initialSeats: number;
  finalSeats: number;
  additionalLatencyMs: number;
}

export const ONE_SEAT: WorkEstimate = Object.freeze({ initialSeats: 1, finalSeats: 0, additionalLatencyMs: 0 });

/** The seats a request reserves over its execution (WorkEstimate.MaxSeats). */
export const maxSeatsOf = (w: WorkEstimate): number => Math.max(w.initialSeats, w.finalSeats);

/** A level's cap on any request's seats (MaxSeatsTracker, set for Limited levels that queue). */
export function levelMaxSeats(nominalCL: number, handSize: number): number {
  return Math.max(1, Math.min(Math.ceil(nominalCL * 0.15), Math.trunc(nominalCL / handSize)));
}

const seats = (n: number): WorkEstimate => (n === 1 ? ONE_SEAT : { initialSeats: n, finalSeats: 0, additionalLatencyMs: 0 });

/** `{resource}.{group}` (`pods`, `deployments.apps`): upstream's GroupResource.String(), the count's key. */
export const groupResource = (group: string, resource: string): string => (group ? `${resource}.${group}` : resource);

/** The value of an exact `metadata.name` term of a field selector (fields.Selector.RequiresExactMatch), if it names a valid path segment. */
export function nameFromFieldSelector(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(',')) {
    const m = /^metadata\.name(==?)(.*)$/.exec(term);
    if (!m) continue;
    const v = m[2]!;
    return v === '' || v === '.' || v === '..' || /[/%]/.test(v) ? undefined : v;
  }
  return undefined;
}

/** The ListOptions a list estimate reads, from one pass over the query (each `get` would search it again). */
interface ListParams { limit: string | null; timeoutSeconds: string | null; sendInitialEvents: string | null; resourceVersion: string; resourceVersionMatch: string; continue: string; selector: boolean }

function listParams(q: URLSearchParams | undefined): ListParams {
  const o: ListParams = { limit: null, timeoutSeconds: null, sendInitialEvents: null, resourceVersion: '', resourceVersionMatch: '', continue: '', selector: false };
  if (!q) return o;
  // The first value of a repeated parameter counts, as Go's url.Values.Get.
  for (const [k, v] of q) {
    switch (k) {
      case 'limit': o.limit ??= v; break;
      case 'timeoutSeconds': o.timeoutSeconds ??= v; break;
      case 'sendInitialEvents': o.sendInitialEvents ??= v; break;
      case 'resourceVersion': if (!o.resourceVersion) o.resourceVersion = v; break;
      case 'resourceVersionMatch': if (!o.resourceVersionMatch) o.resourceVersionMatch = v; break;
      case 'continue': if (!o.continue) o.continue = v; break;
      case 'fieldSelector': case 'labelSelector': if (v) o.selector = true; break;
    }
  }
  return o;
}

/** shouldListFromStorage (list_work_estimator.go), consistent reads from storage. */
function listFromStorage(o: ListParams, limit: number): boolean {
  const match = o.resourceVersionMatch;
  const rv = o.resourceVersion;
  if (match === 'Exact') return true;
  if (match === '') {
    if (limit > 0 && rv !== '' && rv !== '0') return true;
  } else if (match !== 'NotOlderThan') return true;
  if (o.continue) return true;
  return rv === '';
}

/** strconv.ParseInt(v, 10, 64) succeeds. */
function isInt64(v: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(v)) return false;
  if (v.length < 19) return true;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}
/** Go's strconv.ParseBool-free conversion (Convert_Slice_string_To_bool): false for "0" or any case of "false". */
const truthy = (v: string): boolean => !(v === '0' || /^false$/iu.test(v));

export class WorkEstimator {
  constructor(private readonly counts: ObjectCountTracker, private readonly watches: WatchTracker) {}

  /** The work of request `d` in a level whose max seats are `levelMax` (0: none set). */
  estimate(d: RequestDigest, levelMax: number): WorkEstimate {
    if (!d.isResource) return ONE_SEAT;
    const max = levelMax === 0 || levelMax > MAXIMUM_SEATS ? MAXIMUM_SEATS : levelMax;
    switch (d.verb) {
      case 'list': case 'watch': return this.list(d, max);
      case 'create': case 'update': case 'patch': case 'delete': return this.mutating(d, max);
      default: return ONE_SEAT;
    }
  }

  private list(d: RequestDigest, max: number): WorkEstimate {
    if (d.name) return ONE_SEAT;
    const o = listParams(d.query);
    // Options that do not convert (Convert_url_Values_To_v1_ListOptions): destined to fail validation.
    if ((o.limit !== null && !isInt64(o.limit)) || (o.timeoutSeconds !== null && !isInt64(o.timeoutSeconds))) return seats(max);
    if (d.verb === 'watch' && (o.sendInitialEvents === null || !truthy(o.sendInitialEvents))) return ONE_SEAT;
    const limit = o.limit === null ? 0 : Number(o.limit);
    const fromCache = d.verb === 'watch' || !listFromStorage(o, limit);
    const slash = d.resource.indexOf('/');
    const count = this.counts.get(groupResource(d.apiGroup, slash < 0 ? d.resource : d.resource.slice(0, slash)));
    if (count === 'not-found') return ONE_SEAT;
    if (count === 'stale') return seats(max);
    const page = limit > 0 && limit < count ? limit : count;
    const objects = fromCache ? count : o.selector ? count + page : 2 * page;
    return seats(Math.min(max, Math.max(MINIMUM_SEATS, Math.ceil(objects / OBJECTS_PER_SEAT))));
  }

  private mutating(d: RequestDigest, max: number): WorkEstimate {
    const slash = d.resource.indexOf('/');
    const resource = slash < 0 ? d.resource : d.resource.slice(0, slash);
    // Creating a service account token produces no event (isRequestExemptFromWatchEvents).
    if (resource === 'serviceaccounts' && d.resource.slice(slash + 1) === 'token' && slash > 0) return ONE_SEAT;
    const watchers = this.watches.interested(d.apiGroup, resource, d.namespace, d.name ?? '');
    if (watchers < WATCHES_PER_SEAT) return ONE_SEAT;
    const wanted = Math.ceil(watchers / WATCHES_PER_SEAT);
    const finalSeats = Math.min(wanted, max);
    return { initialSeats: 1, finalSeats, additionalLatencyMs: wanted * EVENT_ADDITIONAL_MS / finalSeats };
  }
}
