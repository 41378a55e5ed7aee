/** core/v1 Event: the table kubectl prints (LAST SEEN TYPE REASON OBJECT MESSAGE) and its field selectors. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { age } from '../../table/age.js';
import { col, NAME_DESCRIPTION } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { objectReferenceSchema } from './service-account.js';

const V1 = 'io.k8s.api.core.v1';

export const eventSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  involvedObject: { ...objectReferenceSchema, description: 'The object that this event is about.' },
  reason: s.string("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  message: s.string('A human-readable description of the status of this operation.'),
  source: s.object({
    component: s.string('Component from which the event is generated.'),
    host: s.string('Node name on which the event is generated.'),
  }, { name: `${V1}.EventSource`, description: 'The component reporting this event. Should be a short machine understandable string.' }),
  firstTimestamp: s.time('The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
  lastTimestamp: s.time('The time at which the most recent occurrence of this event was recorded.'),
  count: s.int('The number of times this event has occurred.'),
  type: s.string('Type of this event (Normal, Warning), new types could be added in the future'),
  eventTime: s.time('Time when this Event was first observed.'),
  series: s.object({
    count: s.int('Number of occurrences in this series up to the last heartbeat time'),
    lastObservedTime: s.time('Time of the last occurrence observed'),
  }, { name: `${V1}.EventSeries`, description: 'Data about the Event series this event represents or nil if it\'s a singleton Event.' }),
  action: s.string('What action was taken/failed regarding to the Regarding object.'),
  related: { ...objectReferenceSchema, description: 'Optional secondary object for more complex actions.' },
  reportingComponent: s.string({ description: 'Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.', default: '' }),
  reportingInstance: s.string({ description: 'ID of the controller instance, e.g. `kubelet-xyzf`.', default: '' }),
}, { name: `${V1}.Event`, required: ['metadata', 'involvedObject'], gvk: gvk('', 'v1', 'Event'), description: 'Event is a report of an event somewhere in the cluster.  Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplemental data.' });

export type Event = Infer<typeof eventSchema> & { metadata: ObjectMeta };

function source(ev: Event): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  if (!component) return '<unknown>';
  return instance ? `${component}, ${instance}` : component;
}

/** printEvent with Wide set (the server always sends every column). */
function eventRow(ev: Event, now: Date): unknown[] {
  const first = ev.firstTimestamp ? age(ev.firstTimestamp, now) : age(ev.eventTime, now);
  let last = ev.lastTimestamp ? age(ev.lastTimestamp, now) : first;
  let count = ev.count ?? 0;
  if (ev.series) {
    last = age(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    count = 1;
  }
  const kind = (ev.involvedObject.kind ?? '').toLowerCase();
  const target = ev.involvedObject.name ? `${kind}/${ev.involvedObject.name}` : kind;
  return [last, ev.type ?? '', ev.reason ?? '', target, ev.involvedObject.fieldPath ?? '', source(ev), (ev.message ?? '').trim(), first, count, ev.metadata.name ?? ''];
}

export const events = defineKind<Event>({
  group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'],
  schema: eventSchema, nameValidator: nameIsDNSSubdomain,
  selectableFields: (ev) => ({
    'involvedObject.kind': ev.involvedObject?.kind ?? '',
    'involvedObject.namespace': ev.involvedObject?.namespace ?? '',
    'involvedObject.name': ev.involvedObject?.name ?? '',
    'involvedObject.uid': ev.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': ev.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': ev.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': ev.involvedObject?.fieldPath ?? '',
    reason: ev.reason ?? '',
    reportingComponent: ev.reportingComponent ?? '',
    source: ev.source?.component || ev.reportingComponent || '',
    type: ev.type ?? '',
  }),
  table: {
    columns: [
      col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
      col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
      col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
      col('Object', 'string', 'The object that this event is about.'),
      col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', true),
      col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', true),
      col('Message', 'string', 'A human-readable description of the status of this operation.'),
      col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', true),
      col('Count', 'integer', 'The number of times this event has occurred.', true),
      col('Name', 'string', NAME_DESCRIPTION, true, 'name'),
    ],
    row: eventRow,
  },
});
