import { App, Chart, Size } from 'cdk8s';
import { IStorageClass, StatefulWorkload, StatefulWorkloadProps } from '../../src';

/** A chart in a fresh app, optionally namespaced. */
export function newChart(namespace?: string): Chart {
  return new Chart(new App(), 'test', { namespace });
}

/** A small workload with one data volume of the given class. */
export function workload(
  chart: Chart, id: string, storageClass: IStorageClass | undefined, props: Partial<StatefulWorkloadProps> = {}, size: Size = Size.gibibytes(10),
): StatefulWorkload {
  return new StatefulWorkload(chart, id, {
    image: 'docker.io/library/postgres:16.4',
    ports: [{ name: 'pg', port: 5432 }],
    dataVolumes: { data: { mountPath: '/data', size, storageClass } },
    ...props,
  });
}

/** The error `fn` throws (fails the test when it throws nothing). */
export function caught(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}
