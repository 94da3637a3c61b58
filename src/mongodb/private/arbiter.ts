// Internal: the optional arbiter, a StatefulSet of one mongod that votes in elections and holds
// no data. Not re-exported.
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { mongoshConf } from './config';
import { CREDENTIALS_DIR, DATA_DIR, KEYFILE, MONGODB_UID, MONGOSH_CONF, PORT, SCRIPTS_DIR } from './layout';
import { loadAsset } from '../../core/kit/assets';
import { HealthProbe } from '../../core/workload/container';
import { PlacementProps } from '../../core/workload/scheduling';
import { StatefulWorkload } from '../../core/workload/stateful-workload';
import { PodManagementPolicy } from '../../core/workload/update-strategy';
import { WorkloadVolume } from '../../core/workload/volumes';

export interface ArbiterOptions {
  readonly name: string;
  readonly image: string;
  readonly version: string;
  readonly replicaSetName: string;
  readonly secret: kplus.ISecret;
  readonly keyfileKey: string;
  readonly clusterDomain: string;
  readonly placement?: PlacementProps;
  readonly networkPolicy?: boolean;
}

/**
 * The arbiter's StatefulSet: the members' start and probe scripts and keyfile, its dbpath on an
 * emptyDir (an arbiter keeps only the replica set config, which the primary sends it again after
 * a restart), and a small cache.
 */
export function arbiterWorkload(scope: Construct, o: ArbiterOptions): StatefulWorkload {
  const w = new StatefulWorkload(scope, 'Arbiter', {
    name: o.name,
    image: o.image,
    appName: 'mongodb',
    component: 'arbiter',
    version: o.version,
    containerName: 'mongod',
    replicas: 1,
    clusterDomain: o.clusterDomain,
    publishNotReadyAddresses: true,
    podManagementPolicy: PodManagementPolicy.PARALLEL,
    ports: [{ name: 'mongodb', port: PORT }],
    command: ['bash', `${SCRIPTS_DIR}/start.sh`],
    args: ['mongod', '--replSet', o.replicaSetName, '--bind_ip_all', '--port', `${PORT}`, '--dbpath', DATA_DIR, '--keyFile', KEYFILE,
      '--wiredTigerCacheSizeGB', '0.25'],
    resources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(512), limit: Size.mebibytes(512) } },
    readiness: HealthProbe.exec(['bash', `${SCRIPTS_DIR}/probe.sh`], { period: Duration.seconds(10), timeout: Duration.seconds(10) }),
    liveness: HealthProbe.tcpSocket(PORT, { period: Duration.seconds(10), timeout: Duration.seconds(5), failureThreshold: 6 }),
    scratchPaths: [DATA_DIR, '/tmp'],
    security: { user: MONGODB_UID, group: MONGODB_UID },
    placement: o.placement,
    networkPolicy: o.networkPolicy,
  });
  w.volumes.add('credentials', WorkloadVolume.fromSecret(o.secret, { defaultMode: 0o440 }));
  w.addMount({ volume: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true });
  w.volumes.addConfigFiles('scripts', {
    mountPath: SCRIPTS_DIR,
    files: {
      'start.sh': loadAsset('mongodb/assets/start.sh'),
      'probe.sh': loadAsset('mongodb/assets/probe.sh'),
      'mongosh.conf': mongoshConf(),
    },
  });
  w.addMount({ volume: 'scripts', mountPath: MONGOSH_CONF, subPath: 'mongosh.conf', readOnly: true });
  w.addEnv('MONGO_PORT', kplus.EnvValue.fromValue(`${PORT}`));
  w.addEnv('MONGO_KEYFILE_SOURCE', kplus.EnvValue.fromValue(`${CREDENTIALS_DIR}/${o.keyfileKey}`));
  w.addEnv('MONGO_KEYFILE', kplus.EnvValue.fromValue(KEYFILE));
  w.addEnv('HOME', kplus.EnvValue.fromValue('/tmp'));
  return w;
}
