// The floor: the six objects of bench/workload.ts's workload written by hand as plain JS objects
// (keys in the order cdk8s writes them: apiVersion, kind, metadata, then sorted), serialized with
// the same `yaml` package copy and options as cdk8s's Yaml.stringify. bench.ts checks that the
// floor's files equal StatefulWorkload's byte for byte, so the floor does the same work.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { configOf, NAMESPACE, workloadName } from './workload';

// The copy cdk8s itself loads (cdk8s 2.70.0 pins yaml 2.8.0; the project's own may differ).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const YAML = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));

/** cdk8s's `Yaml.stringify(...docs)`. */
export function stringify(docs: any[]): string {
  return docs.map((d) => YAML.stringify(d, { keepUndefined: true, lineWidth: 0, version: '1.1' })).join('---\n');
}

/** The version of `yaml` the floor (and cdk8s) uses. */
export const YAML_VERSION: string = JSON.parse(
  fs.readFileSync(require.resolve('yaml/package.json', { paths: [path.dirname(require.resolve('cdk8s'))] }), 'utf8'),
).version;

/** Workload `i` as plain objects, in the order cdk8s writes them. */
export function floorObjects(i: number): any[] {
  const name = workloadName(i);
  // Functions, not shared objects: yaml writes a shared object as an anchor and aliases.
  const selector = () => ({
    'app.kubernetes.io/component': 'database',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/name': 'postgres',
  });
  const stable = () => ({
    'app.kubernetes.io/component': 'database',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/managed-by': 'cdk8s-stateful',
    'app.kubernetes.io/name': 'postgres',
    'app.kubernetes.io/part-of': 'bench',
  });
  const labels = () => ({ ...stable(), 'app.kubernetes.io/version': '16.4' });
  const meta = (n: string) => ({ labels: labels(), name: n, namespace: NAMESPACE });
  const files = { 'postgresql.conf': configOf(i) };
  const checksum = createHash('sha256')
    .update(JSON.stringify(['config', Object.keys(files).sort().map((f) => [f, (files as any)[f]])]))
    .digest('hex');
  const restricted = () => ({ type: 'RuntimeDefault' });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name), automountServiceAccountToken: false },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(`${name}-headless`),
      spec: {
        clusterIP: 'None',
        ports: [
          { name: 'pg', port: 5432, protocol: 'TCP', targetPort: 'pg' },
          { name: 'metrics', port: 9187, protocol: 'TCP', targetPort: 'metrics' },
        ],
        selector: selector(),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(name),
      spec: {
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        replicas: 3,
        selector: { matchLabels: selector() },
        serviceName: `${name}-headless`,
        template: {
          metadata: { annotations: { 'checksum/config': checksum }, labels: labels() },
          spec: {
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { podAffinityTerm: { labelSelector: { matchLabels: selector() }, topologyKey: 'kubernetes.io/hostname' }, weight: 100 },
                ],
              },
            },
            automountServiceAccountToken: false,
            containers: [{
              env: [
                { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              image: 'docker.io/library/postgres:16.4',
              imagePullPolicy: 'IfNotPresent',
              livenessProbe: { failureThreshold: 3, periodSeconds: 10, successThreshold: 1, tcpSocket: { port: 5432 }, timeoutSeconds: 5 },
              name: 'postgres',
              ports: [
                { containerPort: 5432, name: 'pg', protocol: 'TCP' },
                { containerPort: 9187, name: 'metrics', protocol: 'TCP' },
              ],
              readinessProbe: {
                exec: { command: ['pg_isready', '-U', 'postgres'] },
                failureThreshold: 3,
                periodSeconds: 10,
                successThreshold: 1,
                timeoutSeconds: 5,
              },
              resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '250m', memory: '512Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                seccompProfile: restricted(),
              },
              volumeMounts: [
                { mountPath: '/var/lib/postgresql/data', name: 'data' },
                { mountPath: '/tmp', name: 'scratch-tmp' },
                { mountPath: '/var/run/postgresql', name: 'scratch-var-run-postgresql' },
                { mountPath: '/etc/postgresql', name: 'config', readOnly: true },
              ],
            }],
            enableServiceLinks: false,
            securityContext: {
              fsGroup: 1000,
              fsGroupChangePolicy: 'OnRootMismatch',
              runAsGroup: 1000,
              runAsNonRoot: true,
              runAsUser: 1000,
              seccompProfile: restricted(),
            },
            serviceAccountName: name,
            terminationGracePeriodSeconds: 30,
            topologySpreadConstraints: [{
              labelSelector: { matchLabels: selector() },
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'ScheduleAnyway',
            }],
            volumes: [
              { configMap: { defaultMode: 0o444, name: `${name}-config` }, name: 'config' },
              { emptyDir: {}, name: 'scratch-tmp' },
              { emptyDir: {}, name: 'scratch-var-run-postgresql' },
            ],
          },
        },
        updateStrategy: { type: 'RollingUpdate' },
        volumeClaimTemplates: [{
          metadata: { labels: stable(), name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
        }],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(name),
      spec: { maxUnavailable: 1, selector: { matchLabels: selector() } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(name),
      spec: {
        ingress: [{ from: [{ podSelector: { matchLabels: selector() } }] }],
        podSelector: { matchLabels: selector() },
        policyTypes: ['Ingress'],
      },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${name}-config`), data: files },
  ];
}
