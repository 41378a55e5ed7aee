/**
 * events.k8s.io/v1 Event, served from the same storage as core v1 Events (upstream's cohabiting
 * resources: both live under /registry/events) and converted field by field as upstream's
 * pkg/apis/events/v1 conversion: regarding <-> involvedObject, note <-> message, reportingController
 * <-> reportingComponent, deprecatedSource/FirstTimestamp/LastTimestamp/Count <-> source,
 * firstTimestamp, lastTimestamp, count; eventTime, series, related, action, reason, type and
 * reportingInstance carry over. Writes through this version are validated as ValidateEventCreate
 * does for events.k8s.io/v1 (eventTime, reportingController, reportingInstance, action and reason
 * required; type Normal or Warning). Printed as core Events are (printEvent).
 */
import type { KubeObject, ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { events as coreEvents, type Event as CoreEvent } from '../core/event.js';
import { objectReferenceSchema } from '../core/service-account.js';
import { defineKind, gvk } from '../define.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const EV = 'io.k8s.api.events.v1';

export const eventsV1Schema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  eventTime: s.time('eventTime is the time when this Event was first observed. It is required.'),
  series: s.object({
    count: s.int('count is the number of occurrences in this series up to the last heartbeat time.'),
    lastObservedTime: s.time('lastObservedTime is the time when last Event from the series was seen before last heartbeat.'),
  }, { name: `${EV}.EventSeries`, required: ['count', 'lastObservedTime'], description: 'series is data about the Event series this event represents or nil if it\'s a singleton Event.', typeDescription: 'EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time. How often to update the EventSeries is up to the event reporters. The default event reporter in "k8s.io/client-go/tools/events/event_broadcaster.go" shows how this struct is updated on heartbeats and can guide customized reporter implementations.' }),
  reportingController: s.string('reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`. This field cannot be empty for new Events.'),
  reportingInstance: s.string('reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`. This field cannot be empty for new Events and it can have at most 128 characters.'),
  action: s.string('action is what action was taken/failed regarding to the regarding object. It is machine-readable. This field cannot be empty for new Events and it can have at most 128 characters.'),
  reason: s.string('reason is why the action was taken. It is human-readable. This field cannot be empty for new Events and it can have at most 128 characters.'),
  regarding: { ...objectReferenceSchema, description: "regarding contains the object this Event is about. In most cases it's an Object reporting controller implements, e.g. ReplicaSetController implements ReplicaSets and this event is emitted because it acts on some changes in a ReplicaSet object." },
  related: { ...objectReferenceSchema, description: 'related is the optional secondary object for more complex actions. E.g. when regarding object triggers a creation or deletion of related object.' },
  note: s.string('note is a human-readable description of the status of this operation. Maximal length of the note is 1kB, but libraries should be prepared to handle values up to 64kB.'),
  type: s.string('type is the type of this event (Normal, Warning), new types could be added in the future. It is machine-readable. This field cannot be empty for new Events.'),
  deprecatedSource: s.object({
    component: s.string('Component from which the event is generated.'),
    host: s.string('Node name on which the event is generated.'),
  }, { name: 'io.k8s.api.core.v1.EventSource', description: 'deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type.', typeDescription: 'EventSource contains information for an event.' }),
  deprecatedFirstTimestamp: s.time('deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
  deprecatedLastTimestamp: s.time('deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
  deprecatedCount: s.int('deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type.'),
}, { name: `${EV}.Event`, gvk: gvk('events.k8s.io', 'v1', 'Event'), required: ['eventTime'], description: 'Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system. Events have a limited retention time and triggers and messages may evolve with time.  Event consumers should not rely on the timing of an event with a given Reason reflecting a consistent underlying trigger, or the continued existence of events with that Reason.  Events should be treated as informative, best-effort, supplemental data.' });

export type EventsV1Event = Infer<typeof eventsV1Schema> & { metadata: ObjectMeta };

/** Drops undefined members so converted objects carry only what was set. */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** Convert_v1_Event_To_core_Event. */
export function eventsV1ToCore(e: EventsV1Event): CoreEvent {
  return compact({
    apiVersion: 'v1', kind: 'Event', metadata: e.metadata,
    involvedObject: e.regarding ?? {}, related: e.related, message: e.note, reason: e.reason, type: e.type, action: e.action,
    eventTime: e.eventTime, series: e.series, reportingComponent: e.reportingController ?? '', reportingInstance: e.reportingInstance ?? '',
    source: e.deprecatedSource, firstTimestamp: e.deprecatedFirstTimestamp, lastTimestamp: e.deprecatedLastTimestamp, count: e.deprecatedCount,
  }) as CoreEvent;
}

/** Convert_core_Event_To_v1_Event. */
export function coreToEventsV1(e: CoreEvent): EventsV1Event {
  return compact({
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata,
    eventTime: e.eventTime as string, series: e.series, reportingController: e.reportingComponent || undefined, reportingInstance: e.reportingInstance || undefined,
    action: e.action, reason: e.reason, regarding: e.involvedObject, related: e.related, note: e.message, type: e.type,
    deprecatedSource: e.source, deprecatedFirstTimestamp: e.firstTimestamp, deprecatedLastTimestamp: e.lastTimestamp, deprecatedCount: e.count,
  }) as EventsV1Event;
}

const MAX_FIELD = 128;
const NOTE_MAX = 1024;

function validateEventsV1(e: EventsV1Event): FieldError[] {
  const errs: FieldError[] = [];
  if (!e.reportingController) errs.push(fe.required('reportingController'));
  else for (const m of isQualifiedName(e.reportingController)) errs.push(fe.invalid('reportingController', e.reportingController, m));
  if (!e.reportingInstance) errs.push(fe.required('reportingInstance'));
  else if (e.reportingInstance.length > MAX_FIELD) errs.push(fe.invalid('reportingInstance', '', `can have at most ${MAX_FIELD} characters`));
  if (!e.action) errs.push(fe.required('action'));
  else if (e.action.length > MAX_FIELD) errs.push(fe.invalid('action', '', `can have at most ${MAX_FIELD} characters`));
  if (!e.reason) errs.push(fe.required('reason'));
  else if (e.reason.length > MAX_FIELD) errs.push(fe.invalid('reason', '', `can have at most ${MAX_FIELD} characters`));
  if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(fe.invalid('type', e.type ?? '', 'has invalid value: ' + (e.type ?? '')));
  if ((e.note ?? '').length > NOTE_MAX) errs.push(fe.invalid('note', '', `can have at most ${NOTE_MAX} characters`));
  if (e.series && e.series.count < 2) errs.push(fe.invalid('series.count', '', 'should be at least 2'));
  return errs;
}

export const eventsV1 = defineKind<EventsV1Event>({
  group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'],
  schema: eventsV1Schema, nameValidator: nameIsDNSSubdomain,
  validate: validateEventsV1,
  selectableFields: (e) => coreEvents.selectableFields(eventsV1ToCore(e)),
  table: { columns: coreEvents.tableColumns, row: (e, now) => coreEvents.tableRow(eventsV1ToCore(e), now) },
  storageVersion: {
    toStored: (obj: KubeObject) => eventsV1ToCore(obj as EventsV1Event),
    fromStored: (obj: KubeObject) => coreToEventsV1(obj as CoreEvent),
  },
});
