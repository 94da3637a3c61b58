import { ApiObject, App, Chart, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AccessMode, AntiAffinity, HealthProbe, IStorageClass, PodManagementPolicy, RetentionPolicy,
  StatefulWorkload, StatefulWorkloadProps, TaintEffect, UpdateStrategy, VolumeMode,
  WorkloadVolume, ZoneSpread,
} from '../../../src';
import { ValidationError } from '../../../src/core/errors';
import { container, envOf, find, ofKind, synthValidated } from '../../util/validate';

const IMAGE = 'docker.io/library/redis:7.4.1';

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

function workload(props: Partial<StatefulWorkloadProps> = {}, c: Chart = chart('data')): StatefulWorkload {
  return new StatefulWorkload(c, 'cache', { image: IMAGE, ports: [{ name: 'redis', port: 6379 }], ...props });
}

describe('defaults', () => {
  test('emit a StatefulSet, headless Service, ServiceAccount, PDB and NetworkPolicy, all named after the id', () => {
    const w = workload({ replicas: 3, dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(8) } } });
    const objs = synthValidated(Chart.of(w));
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'NetworkPolicy/cache', 'PodDisruptionBudget/cache', 'Service/cache-headless', 'ServiceAccount/cache', 'StatefulSet/cache',
    ]);
    expect(objs).toMatchSnapshot();
  });

  test('Retain on delete and scale-down, claim template without version label', () => {
    const w = workload({ version: '7.4.1', dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(8) } } });
    const sts = find(synthValidated(Chart.of(w)), 'StatefulSet', 'cache');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    const claim = sts.spec.volumeClaimTemplates[0];
    expect(claim.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } });
    expect(sts.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('7.4.1');
  });

  test('selectors use only name, instance and component', () => {
    const w = workload({ version: '7.4.1', component: 'cache', partOf: 'shop', appName: 'redis' });
    const objs = synthValidated(Chart.of(w));
    const expected = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'cache', 'app.kubernetes.io/component': 'cache' };
    expect(find(objs, 'StatefulSet', 'cache').spec.selector).toEqual({ matchLabels: expected });
    expect(find(objs, 'Service', 'cache-headless').spec.selector).toEqual(expected);
    expect(find(objs, 'PodDisruptionBudget', 'cache').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: expected } });
    expect(find(objs, 'StatefulSet', 'cache').metadata.labels).toEqual({
      ...expected, 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'cdk8s-stateful', 'app.kubernetes.io/version': '7.4.1',
    });
  });

  test('restricted security: non-root with explicit ids, seccomp, drop ALL, read-only root, no token', () => {
    const objs = synthValidated(Chart.of(workload()));
    const pod = find(objs, 'StatefulSet', 'cache').spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(find(objs, 'StatefulSet', 'cache'), 'cache').securityContext).toEqual({
      runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(find(objs, 'ServiceAccount', 'cache').automountServiceAccountToken).toBe(false);
  });

  test('soft anti-affinity by hostname and soft zone spread', () => {
    const pod = find(synthValidated(Chart.of(workload())), 'StatefulSet', 'cache').spec.template.spec;
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(pod.topologySpreadConstraints).toEqual([expect.objectContaining({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 1 })]);
  });

  test('NetworkPolicy admits only the workload itself', () => {
    const np = find(synthValidated(Chart.of(workload())), 'NetworkPolicy', 'cache');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: np.spec.podSelector.matchLabels } }] }]);
  });
});

describe('options', () => {
  test('name prop overrides the id; names are never hashed', () => {
    const w = workload({ name: 'orders-cache' });
    const objs = synthValidated(Chart.of(w));
    expect(find(objs, 'StatefulSet', 'orders-cache').spec.serviceName).toBe('orders-cache-headless');
  });

  test('replicas, parallel pod management, partitioned rolling update, minReady, ordinals', () => {
    const sts = find(synthValidated(Chart.of(workload({
      replicas: 5,
      podManagementPolicy: PodManagementPolicy.PARALLEL,
      updateStrategy: UpdateStrategy.rollingUpdate(2),
      minReady: Duration.seconds(15),
      ordinalsStart: 100,
    }))), 'StatefulSet', 'cache');
    expect(sts.spec).toMatchObject({
      replicas: 5,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
      minReadySeconds: 15,
      ordinals: { start: 100 },
    });
  });

  test('OnDelete update strategy and Delete retention when asked', () => {
    const sts = find(synthValidated(Chart.of(workload({
      updateStrategy: UpdateStrategy.onDelete(), whenDeleted: RetentionPolicy.DELETE, whenScaled: RetentionPolicy.RETAIN,
    }))), 'StatefulSet', 'cache');
    expect(sts.spec.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
  });

  test('data volumes: class, access mode, sub path, block devices', () => {
    const fast: IStorageClass = { storageClassName: 'fast-ssd', allowVolumeExpansion: true };
    const w = workload({
      dataVolumes: {
        data: { mountPath: '/data', size: Size.gibibytes(100), storageClass: fast, accessMode: AccessMode.READ_WRITE_ONCE_POD, subPath: 'redis' },
        raw: { mountPath: '/dev/xvdb', size: Size.tebibytes(1), volumeMode: VolumeMode.BLOCK },
      },
    });
    const sts = find(synthValidated(Chart.of(w)), 'StatefulSet', 'cache');
    expect(sts.spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec])).toEqual([
      ['data', { accessModes: ['ReadWriteOncePod'], storageClassName: 'fast-ssd', resources: { requests: { storage: '100Gi' } } }],
      ['raw', { accessModes: ['ReadWriteOnce'], volumeMode: 'Block', resources: { requests: { storage: '1Ti' } } }],
    ]);
    const c = container(sts, 'cache');
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data', subPath: 'redis' }]);
    expect(c.volumeDevices).toEqual([{ name: 'raw', devicePath: '/dev/xvdb' }]);
    expect(w.volumes.data.map((v) => v.name)).toEqual(['data', 'raw']);
  });

  test('scratch paths become emptyDirs for a read-only root', () => {
    const w = workload({ scratchPaths: ['/tmp', '/var/run/redis'] });
    w.volumes.addScratch('/cache', { sizeLimit: Size.mebibytes(256), memory: true });
    const sts = find(synthValidated(Chart.of(w)), 'StatefulSet', 'cache');
    expect(sts.spec.template.spec.volumes).toEqual([
      { name: 'scratch-tmp', emptyDir: {} },
      { name: 'scratch-var-run-redis', emptyDir: {} },
      { name: 'scratch-cache', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } },
    ]);
  });

  test('config files: a ConfigMap, a read-only mount and a checksum that changes with the content', () => {
    const checksum = (content: string) => {
      const w = workload();
      const cm = w.volumes.addConfigFiles('config', { mountPath: '/etc/redis', files: { 'redis.conf': content } });
      const objs = synthValidated(Chart.of(w));
      expect(find(objs, 'ConfigMap', 'cache-config').data).toEqual({ 'redis.conf': content });
      expect(cm.name).toBe('cache-config');
      const sts = find(objs, 'StatefulSet', 'cache');
      expect(container(sts, 'cache').volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/redis', readOnly: true });
      return sts.spec.template.metadata.annotations['checksum/config'];
    };
    const a = checksum('maxmemory 100mb');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum('maxmemory 100mb')).toBe(a);
    expect(checksum('maxmemory 200mb')).not.toBe(a);
  });

  test('env keeps order; probes, resources, command and args', () => {
    const w = workload({
      command: ['redis-server'],
      args: ['/etc/redis/redis.conf'],
      env: { A: kplus.EnvValue.fromValue('1'), POD: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME) },
      resources: {
        cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.units(2) },
        memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
      },
      readiness: HealthProbe.tcpSocket(6379),
      liveness: HealthProbe.exec(['redis-cli', 'ping'], { period: Duration.seconds(20) }),
      startup: HealthProbe.httpGet('/health', 8080, { failureThreshold: 30 }),
    });
    w.addEnv('B', kplus.EnvValue.fromValue('$(A)-2'));
    w.addArgs('--port', '6379');
    const c = container(find(synthValidated(Chart.of(w)), 'StatefulSet', 'cache'), 'cache');
    expect(c.env.map((e: any) => e.name)).toEqual(['A', 'POD', 'B']);
    expect(envOf(c).POD).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(c.command).toEqual(['redis-server']);
    expect(c.args).toEqual(['/etc/redis/redis.conf', '--port', '6379']);
    expect(c.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 6379 }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 });
    expect(c.livenessProbe.periodSeconds).toBe(20);
    expect(c.startupProbe).toMatchObject({ httpGet: { path: '/health', port: 8080 }, failureThreshold: 30 });
    expect(c.imagePullPolicy).toBe('IfNotPresent');
  });

  test('preStop runs a command before SIGTERM', () => {
    const w = workload({ preStop: ['nodetool', 'drain'] });
    const c = container(find(synthValidated(Chart.of(w)), 'StatefulSet', 'cache'), 'cache');
    expect(c.lifecycle).toEqual({ preStop: { exec: { command: ['nodetool', 'drain'] } } });
    expect(() => workload({ preStop: [] }, chart('other'))).toThrow(/preStop must be a command/);
  });

  test('httpsGet probes with scheme HTTPS (the kubelet does not verify the certificate)', () => {
    const w = workload({ readiness: HealthProbe.httpsGet('/health?ready=1', 8080) });
    const c = container(find(synthValidated(Chart.of(w)), 'StatefulSet', 'cache'), 'cache');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health?ready=1', port: 8080, scheme: 'HTTPS' });
  });

  test('init containers and sidecars mount volumes by name and get the restricted context', () => {
    const w = workload({ dataVolumes: { data: { mountPath: '/data', size: Size.gibibytes(1) } } });
    w.volumes.add('tls', WorkloadVolume.fromSecret(kplus.Secret.fromSecretName(Chart.of(w), 'tls-ref', 'cache-tls')));
    w.addInitContainer({ name: 'fix-perms', image: 'docker.io/library/busybox:1.37.0', command: ['sh', '-c', 'true'], mounts: [{ volume: 'data', mountPath: '/data' }] });
    w.addSidecar({ name: 'exporter', image: 'docker.io/oliver006/redis_exporter:v1.66.0', ports: [{ name: 'metrics', port: 9121 }], mounts: [{ volume: 'tls', mountPath: '/tls', readOnly: true }] });
    const sts = find(synthValidated(Chart.of(w), { externalSecrets: ['cache-tls'] }), 'StatefulSet', 'cache');
    expect(sts.spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['fix-perms']);
    expect(sts.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['cache', 'exporter']);
    expect(container(sts, 'exporter').securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'cache-tls', defaultMode: 0o440 } });
  });

  test('RBAC rules: Role, RoleBinding and the token mounted', () => {
    const w = workload({ rbacRules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'watch'] }] });
    w.rbac.addRule({ apiGroups: [''], resources: ['pods'], verbs: ['patch'], resourceNames: ['cache-0'] });
    const objs = synthValidated(Chart.of(w));
    expect(find(objs, 'Role', 'cache').rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['patch'], resourceNames: ['cache-0'] },
    ]);
    expect(find(objs, 'RoleBinding', 'cache')).toMatchObject({
      roleRef: { kind: 'Role', name: 'cache' }, subjects: [{ kind: 'ServiceAccount', name: 'cache', namespace: 'data' }],
    });
    expect(find(objs, 'StatefulSet', 'cache').spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(w.rbac.role).toBeDefined();
  });

  test('client Services select extra labels and chosen ports; headless publishes not-ready addresses', () => {
    const w = workload({ publishNotReadyAddresses: true, ports: [{ name: 'redis', port: 6379 }, { name: 'metrics', port: 9121 }] });
    w.services.add('primary', { name: 'cache', selector: { role: 'primary' }, ports: ['redis'] });
    w.services.add('lb', { type: kplus.ServiceType.LOAD_BALANCER });
    const objs = synthValidated(Chart.of(w));
    expect(find(objs, 'Service', 'cache-headless').spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    const primary = find(objs, 'Service', 'cache');
    expect(primary.spec.selector.role).toBe('primary');
    expect(primary.spec.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }]);
    expect(find(objs, 'Service', 'cache-lb').spec.type).toBe('LoadBalancer');
    expect(w.services.get('primary').name).toBe('cache');
  });

  test('allowFrom: cdk8s-plus workloads, pod selectors in other namespaces, labels, limited ports', () => {
    const w = workload({ ports: [{ name: 'redis', port: 6379 }, { name: 'metrics', port: 9121 }] });
    const c = Chart.of(w);
    const app = new kplus.Deployment(c, 'app', { containers: [{ image: 'docker.io/library/nginx:1.27.3' }] });
    w.connections.allowFrom(app, ['redis']);
    w.connections.allowFrom(kplus.Pods.select(c, 'prom', { labels: { app: 'prometheus' }, namespaces: kplus.Namespaces.select(c, 'mon', { names: ['monitoring'] }) }), ['metrics']);
    w.connections.allowFrom(kplus.Namespaces.select(c, 'ops', { labels: { team: 'ops' } }));
    w.connections.allowFromLabels({ role: 'backup' });
    const np = find(synthValidated(c), 'NetworkPolicy', 'cache');
    expect(np.spec.ingress.slice(1)).toEqual([
      {
        // cdk8s-plus pins a workload in a namespaced chart to its namespace.
        from: [{
          podSelector: { matchLabels: { 'cdk8s.io/metadata.addr': expect.any(String) } },
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['data'] }] },
        }],
        ports: [{ port: 6379, protocol: 'TCP' }],
      },
      {
        from: [{
          podSelector: { matchLabels: { app: 'prometheus' } },
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['monitoring'] }] },
        }],
        ports: [{ port: 9121, protocol: 'TCP' }],
      },
      { from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] },
      { from: [{ podSelector: { matchLabels: { role: 'backup' } } }] },
    ]);
  });

  test('placement: hard anti-affinity, hard zone spread, dedicated nodes, priority class', () => {
    const w = workload({
      placement: {
        antiAffinity: AntiAffinity.HARD,
        zoneSpread: ZoneSpread.HARD,
        priorityClassName: 'stateful-critical',
        nodeSelector: { 'kubernetes.io/arch': 'amd64' },
        tolerations: [{ key: 'spot' }],
        dedicatedNodes: { key: 'workload', value: 'cache', effect: TaintEffect.NO_EXECUTE },
      },
    });
    const pod = find(synthValidated(Chart.of(w)), 'StatefulSet', 'cache').spec.template.spec;
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(pod.topologySpreadConstraints[0].whenUnsatisfiable).toBe('DoNotSchedule');
    expect(pod.priorityClassName).toBe('stateful-critical');
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/arch': 'amd64', 'workload': 'cache' });
    expect(pod.tolerations).toEqual([
      { key: 'spot', operator: 'Exists' },
      { key: 'workload', operator: 'Equal', value: 'cache', effect: 'NoExecute' },
    ]);
    expect(w.scheduling.hardAntiAffinity).toBe(true);
  });

  test('no anti-affinity and no spread when asked; NetworkPolicy and PDB can be turned off', () => {
    const w = workload({
      placement: { antiAffinity: AntiAffinity.NONE, zoneSpread: ZoneSpread.NONE },
      networkPolicy: false,
      disruptionBudget: { enabled: false },
    });
    const objs = synthValidated(Chart.of(w));
    const pod = find(objs, 'StatefulSet', 'cache').spec.template.spec;
    expect(pod.affinity).toBeUndefined();
    expect(pod.topologySpreadConstraints).toBeUndefined();
    expect(ofKind(objs, 'NetworkPolicy')).toEqual([]);
    expect(ofKind(objs, 'PodDisruptionBudget')).toEqual([]);
    expect(w.networkPolicy).toBeUndefined();
  });

  test('PDB with minAvailable below replicas', () => {
    const pdb = find(synthValidated(Chart.of(workload({ replicas: 3, disruptionBudget: { minAvailable: 2 } }))), 'PodDisruptionBudget', 'cache');
    expect(pdb.spec.minAvailable).toBe(2);
    expect(pdb.spec.maxUnavailable).toBeUndefined();
  });

  test('security overrides for images with other ids', () => {
    const pod = find(synthValidated(Chart.of(workload({ security: { user: 999, group: 999, fsGroup: 1001, readOnlyRootFilesystem: false } }))), 'StatefulSet', 'cache').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 1001 });
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
  });

  test('DNS names honour the namespace and clusterDomain', () => {
    const w = workload({ clusterDomain: 'corp.internal', replicas: 3 });
    expect(w.podDnsName(1)).toBe('cache-1.cache-headless.data.svc.corp.internal');
    expect(w.serviceDnsName).toBe('cache-headless.data.svc.corp.internal');
    expect(w.runtimeDnsName()).toBe('$(POD_NAME).cache-headless.$(POD_NAMESPACE).svc.corp.internal');
    const noNs = workload({}, chart());
    expect(noNs.podDnsName(0)).toBe('cache-0.cache-headless');
  });

  test('runtimeDnsName defines POD_NAME and POD_NAMESPACE first, once', () => {
    // Without them the kubelet passes '$(POD_NAMESPACE)' through as literal text.
    const w = workload({ env: { APP_MODE: kplus.EnvValue.fromValue('x') } });
    w.addEnv('PEER', kplus.EnvValue.fromValue(w.runtimeDnsName()));
    w.addArgs(`--advertise=${w.runtimeDnsName('$(POD_NAME)')}`);
    const c = container(find(synthValidated(Chart.of(w)), 'StatefulSet', 'cache'), 'cache');
    expect(c.env.map((e: any) => e.name)).toEqual(['POD_NAME', 'POD_NAMESPACE', 'APP_MODE', 'PEER']);
    expect(envOf(c).POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(envOf(c).POD_NAME).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });

    // Set by the caller: kept as given, not duplicated.
    const own = workload({ env: { POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME) } }, chart('other'));
    own.addArgs(own.runtimeDnsName());
    const c2 = container(find(synthValidated(Chart.of(own)), 'StatefulSet', 'cache'), 'cache');
    expect(c2.env.map((e: any) => e.name)).toEqual(['POD_NAMESPACE', 'POD_NAME']);

    // Not asked for: no extra env.
    expect(container(find(synthValidated(Chart.of(workload({}, chart('x')))), 'StatefulSet', 'cache'), 'cache').env).toBeUndefined();
  });

  test('a 52-character name (the StatefulSet maximum) still takes data volumes', () => {
    const name = 'a'.repeat(52);
    const w = workload({ name, dataVolumes: { 'data-volume': { mountPath: '/data', size: Size.gibibytes(1) } } });
    expect(find(synthValidated(Chart.of(w)), 'StatefulSet', name).spec.volumeClaimTemplates[0].metadata.name).toBe('data-volume');
  });

  test('escape hatch: JSON patches on public children', () => {
    const w = workload();
    ApiObject.of(w.statefulSet).addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 5));
    expect(find(synthValidated(Chart.of(w)), 'StatefulSet', 'cache').spec.revisionHistoryLimit).toBe(5);
  });
});

test('deterministic: two synths give byte-identical YAML', () => {
  const build = () => {
    const app = new App({ outdir: '/tmp/unused' });
    const c = new Chart(app, 'c', { namespace: 'x' });
    const w = new StatefulWorkload(c, 'db', { image: IMAGE, replicas: 3, dataVolumes: { data: { mountPath: '/d', size: Size.gibibytes(1) } } });
    w.volumes.addConfigFiles('conf', { mountPath: '/etc/db', files: { b: '2', a: '1' } });
    return app.synthYaml();
  };
  expect(build()).toEqual(build());
});

describe('invalid props', () => {
  const cases: Array<[string, Partial<StatefulWorkloadProps>, string]> = [
    ['negative replicas', { replicas: -1 }, 'replicas must be a whole number ≥ 0, got -1'],
    ['fractional replicas', { replicas: 1.5 }, 'replicas must be a whole number ≥ 0, got 1.5'],
    ['upper-case name', { name: 'Cache' }, "name 'Cache' must be a DNS-1035 label of at most 52 characters"],
    ['name too long for a StatefulSet', { name: 'a'.repeat(53) }, 'at most 52 characters'],
    ['duplicate port names', { ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] }, "duplicate port name 'a'"],
    ['duplicate port numbers', { ports: [{ name: 'a', port: 1 }, { name: 'b', port: 1 }] }, "ports 'a' and 'b' both use 1"],
    ['port out of range', { ports: [{ name: 'a', port: 70000 }] }, "port 'a' has number 70000; use an integer from 1 to 65535"],
    ['bad port name', { ports: [{ name: 'Client_Port', port: 1 }] }, "port name 'Client_Port' must be an IANA service name"],
    ['bad data volume name', { dataVolumes: { Data: { mountPath: '/d', size: Size.gibibytes(1) } } }, "data volume name 'Data' must be a DNS-1123 label"],
    ['zero size', { dataVolumes: { data: { mountPath: '/d', size: Size.gibibytes(0) } } }, "data volume 'data' has size 0; give at least 1Mi"],
    ['two mounts at one path', { dataVolumes: { a: { mountPath: '/d', size: Size.gibibytes(1) }, b: { mountPath: '/d', size: Size.gibibytes(1) } } }, "volumes 'a' and 'b' are both mounted at /d"],
    ['maxUnavailable 0', { disruptionBudget: { maxUnavailable: 0 } }, 'maxUnavailable 0 blocks every node drain forever'],
    ['minAvailable = replicas', { replicas: 1, disruptionBudget: { minAvailable: 1 } }, 'minAvailable 1 with 1 replica(s) never allows a voluntary disruption'],
    ['both budgets', { disruptionBudget: { minAvailable: 1, maxUnavailable: 1 } }, 'sets both minAvailable (1) and maxUnavailable (1); set only one'],
    ['root user', { security: { user: 0 } }, 'security.user 0 (root) breaks the restricted Pod Security Standard'],
    ['bad cluster domain', { clusterDomain: 'Cluster_Local' }, "clusterDomain 'Cluster_Local' is not a DNS domain"],
    ['image with spaces', { image: 'redis 7' }, "image 'redis 7' is not an image reference"],
    ['negative partition', { updateStrategy: UpdateStrategy.rollingUpdate(-1) }, 'rolling update partition must be a whole number ≥ 0, got -1'],
    ['negative ordinals start', { ordinalsStart: -3 }, 'ordinalsStart must be a whole number ≥ 0, got -3'],
    ['the same scratch path twice', { scratchPaths: ['/tmp', '/tmp'] }, "duplicate volume name 'scratch-tmp'"],
    // Label values (selector labels included) the API server would reject.
    ['appName with a space', { appName: 'Orders DB' }, "appName 'Orders DB' is not a label value: at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric (e.g. 'Orders-DB')"],
    ['component too long', { component: 'c'.repeat(64) }, `component '${'c'.repeat(64)}' is not a label value`],
    ['partOf ending with a dash', { partOf: 'shop-' }, "partOf 'shop-' is not a label value"],
    ['pod label value with a slash', { podLabels: { team: 'a/b' } }, "pod label 'team' 'a/b' is not a label value"],
    ['pod label key with two slashes', { podLabels: { 'a/b/c': 'x' } }, "pod label key 'a/b/c' is not a label key"],
    // Kubernetes requires successThreshold 1 for liveness and startup probes.
    ['liveness successThreshold 2', { liveness: HealthProbe.tcpSocket(6379, { successThreshold: 2 }) },
      "container 'cache': the liveness probe has successThreshold 2, but Kubernetes requires 1 for liveness probes; leave it out"],
    ['startup successThreshold 3', { startup: HealthProbe.tcpSocket(6379, { successThreshold: 3 }) }, 'the startup probe has successThreshold 3'],
  ];
  test.each(cases)('%s', (_, props, message) => {
    expect(() => workload(props)).toThrow(ValidationError);
    expect(() => workload(props)).toThrow(message);
  });

  test('the message names the construct path', () => {
    expect(() => workload({ replicas: -1 })).toThrow(/^test\/cache: replicas/);
  });

  test('an invalid construct id suggests a valid name', () => {
    expect(() => new StatefulWorkload(chart(), 'OrdersCache', { image: IMAGE })).toThrow("construct id 'OrdersCache' (used as the object name) must be a DNS-1035 label of at most 52 characters (lower-case letters, digits and '-', starting with a letter, ending alphanumeric); use a name such as 'orderscache' or set the 'name' prop");
  });

  const methodCases: Array<[string, (w: StatefulWorkload) => void, string]> = [
    ['duplicate env var', (w) => { w.addEnv('A', kplus.EnvValue.fromValue('1')); w.addEnv('A', kplus.EnvValue.fromValue('2')); }, "env var 'A' is set twice"],
    ['duplicate container', (w) => w.addSidecar({ name: 'cache', image: IMAGE }), "duplicate container name 'cache'"],
    ['duplicate service', (w) => { w.services.add('a'); w.services.add('a'); }, "a Service with id 'a' exists already"],
    ['service with unknown port', (w) => w.services.add('a', { ports: ['nope'] }), "no port named 'nope'; ports are: redis"],
    ['selector label override', (w) => w.addPodLabel('app.kubernetes.io/name', 'x'), "pod label 'app.kubernetes.io/name' is a selector label"],
    ['invalid pod label value', (w) => w.addPodLabel('tier', 'hot storage'), "pod label 'tier' 'hot storage' is not a label value"],
    ['probe on an init container', (w) => w.addInitContainer({ name: 'init', image: IMAGE, readiness: HealthProbe.exec(['true']) }),
      "init container 'init' sets readiness: init containers run to completion and cannot have probes"],
    ['sidecar liveness successThreshold 2', (w) => w.addSidecar({ name: 's', image: IMAGE, liveness: HealthProbe.exec(['true'], { successThreshold: 2 }) }),
      "container 's': the liveness probe has successThreshold 2"],
    ['mount of a missing volume', (w) => { w.addSidecar({ name: 's', image: IMAGE, mounts: [{ volume: 'nope', mountPath: '/x' }] }); Testing.synth(Chart.of(w)); }, "container 's' mounts volume 'nope', which does not exist"],
    ['empty RBAC rule', (w) => w.rbac.addRule({ apiGroups: [''], resources: [], verbs: ['get'] }), 'an RBAC rule needs at least one verb and one resource'],
    ['unknown service id', (w) => w.services.get('nope'), "no Service with id 'nope'"],
  ];
  test.each(methodCases)('%s', (_, act, message) => {
    expect(() => act(workload())).toThrow(message);
  });
});
