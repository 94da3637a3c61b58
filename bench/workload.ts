// The benchmark's unit of work: one StatefulWorkload shaped like a small production database
// (ports, env, resources, probes, a data volume, scratch paths, a config file): six objects.
// floor.ts writes the same objects by hand; bench.ts checks that both give the same bytes.
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
// Relative, not 'cdk8s-stateful' (eslint's import resolver only knows ./tsconfig.json), and only
// core, so that work in progress elsewhere in src/ cannot break the benchmark.
import { HealthProbe, StatefulWorkload } from '../src/core';

/** Namespace of every benchmark chart. */
export const NAMESPACE = 'bench';

/** Name of workload `i`. */
export function workloadName(i: number): string {
  return `db-${i}`;
}

/** Content of workload `i`'s config file. */
export function configOf(i: number): string {
  return `listen_addresses = '*'\nport = 5432\nmax_connections = ${100 + (i % 50)}\n`;
}

/** Adds workload `i` to a chart. */
export function addWorkload(chart: Chart, i: number): StatefulWorkload {
  const w = new StatefulWorkload(chart, workloadName(i), {
    image: 'docker.io/library/postgres:16.4',
    appName: 'postgres',
    component: 'database',
    partOf: 'bench',
    version: '16.4',
    replicas: 3,
    ports: [{ name: 'pg', port: 5432 }, { name: 'metrics', port: 9187 }],
    env: {
      PGDATA: kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata'),
      POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
      POD_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
    },
    resources: {
      cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) },
      memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
    },
    readiness: HealthProbe.exec(['pg_isready', '-U', 'postgres']),
    liveness: HealthProbe.tcpSocket(5432),
    dataVolumes: { data: { mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(10) } },
    scratchPaths: ['/tmp', '/var/run/postgresql'],
  });
  w.volumes.addConfigFiles('config', { mountPath: '/etc/postgresql', files: { 'postgresql.conf': configOf(i) } });
  return w;
}
