import type { KubeObject } from '../../api/meta.js';

/** Where the agent's events go (an EventRecorder in production, an array in unit tests). */
export interface EventSink {
  event(obj: Readonly<KubeObject>, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
