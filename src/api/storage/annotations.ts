/** The annotations and labels the PV binder, the provisioner, the scheduler and the agent agree on (upstream's names). */

/** On a claim the binder finished binding (pv.kubernetes.io/bind-completed: "yes"). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** On a claim or volume whose binding the controller (not a user) made. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** The node the scheduler chose for a WaitForFirstConsumer claim (volumebinding PreBind sets it). */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** Which provisioner made a volume. */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** Which provisioner is asked to provision a claim. */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';

/** Bosun's node-local provisioner (k3s's local-path provisioner is the model). */
export const LOCAL_PATH_PROVISIONER = 'bosun.dev/local-path';
/** The default StorageClass the server creates. */
export const LOCAL_PATH_CLASS = 'local-path';
/**
 * A node's directory for local-path volumes, published by its agent on its Node object; the
 * provisioner puts each volume at <that>/<pv-name>.
 */
export const ANN_LOCAL_PATH_DIR = 'storage.bosun.dev/local-path-dir';
