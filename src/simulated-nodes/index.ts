/**
 * Simulated nodes: `startSimulatedNodes(client, { count })` registers a fleet of nodes that
 * heartbeat and run pods without containers. See fleet.ts.
 */
import type { KubeClient } from '../client/kube-client.js';
import { SimulatedFleet, type SimulatedNodesOptions } from './fleet.js';

export { SimulatedFleet, type FleetStats, type SimulatedNodesOptions } from './fleet.js';
export { PAUSED_ANNOTATION, SIMULATED_LABEL } from './node-object.js';
export { terminatedStatusPatch, UNREADY_ANNOTATION } from './pod-status.js';

/** Register and start a fleet; resolves once every node is registered and heartbeating. */
export async function startSimulatedNodes(client: KubeClient, opts: SimulatedNodesOptions): Promise<SimulatedFleet> {
  const fleet = new SimulatedFleet(client, opts);
  try {
    await fleet.start();
  } catch (err) {
    await fleet.close();
    throw err;
  }
  return fleet;
}
