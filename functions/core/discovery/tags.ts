/** Pure readings of kops' cluster and role tags (no AWS client: the planner uses them). */

/**
 * What a discovered group is to the cluster: its control plane (`<ig>.masters.<cluster>`), or a
 * kops API-server node group (`<ig>.apiservers.<cluster>`, role APIServer). Both run
 * kube-apiserver behind kops' own API load balancer, so both are API backends: the sentinel
 * attaches, registers, prunes and probes them alike.
 */
export type BackendRole = 'control-plane' | 'apiserver';

/** The group-name infix kops uses per role (pkg/model/names.go). */
export const NAME_INFIX: Record<BackendRole, string> = {
  'control-plane': 'masters',
  apiserver: 'apiservers',
};

const CONTROL_PLANE_ROLE_TAGS = ['k8s.io/role/master', 'k8s.io/role/control-plane'];
const APISERVER_ROLE_TAGS = ['k8s.io/role/apiserver'];
export const ROLE_TAGS: Record<BackendRole, string[]> = {
  'control-plane': CONTROL_PLANE_ROLE_TAGS,
  apiserver: APISERVER_ROLE_TAGS,
};

/** True when tags say the resource belongs to the cluster (kops sets both tags; either one is enough). */
export function taggedForCluster(tags: Map<string, string>, cluster: string): boolean {
  return tags.get('KubernetesCluster') === cluster || tags.has(`kubernetes.io/cluster/${cluster}`);
}

export function hasRole(tags: Map<string, string>, role: BackendRole): boolean {
  return ROLE_TAGS[role].some((k) => tags.has(k) && tags.get(k) !== '0' && tags.get(k) !== 'false');
}

/**
 * True when an instance's own tags (propagated from its group) say it runs an API server of the
 * cluster: a control-plane instance, or an instance of an API-server node group.
 */
export function isControlPlaneInstance(tags: Map<string, string>, cluster: string): boolean {
  return taggedForCluster(tags, cluster) && (hasRole(tags, 'control-plane') || hasRole(tags, 'apiserver'));
}
