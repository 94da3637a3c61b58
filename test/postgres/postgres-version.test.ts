import { PostgresVersion } from '../../src/postgres';
import { officialImage, SPILO_IMAGE } from '../../src/postgres/private/images';

describe('PostgresVersion', () => {
  test.each([
    [PostgresVersion.V15, '15.14', '15', 'docker.io/library/postgres:15.14-bookworm'],
    [PostgresVersion.V16, '16.10', '16', 'docker.io/library/postgres:16.10-bookworm'],
    [PostgresVersion.V17, '17.6', '17', 'docker.io/library/postgres:17.6-bookworm'],
  ])('constant %#: %s / %s pins %s', (v, full, major, image) => {
    expect(v.fullVersion).toBe(full);
    expect(v.majorVersion).toBe(major);
    expect(officialImage(v)).toBe(image);
  });

  test('of(): a patch release the library does not list', () => {
    const v = PostgresVersion.of('17.7', '17');
    expect(v.fullVersion).toBe('17.7');
    expect(v.majorVersion).toBe('17');
    expect(officialImage(v)).toBe('docker.io/library/postgres:17.7-bookworm');
  });

  test('constants are stable objects (cluster.version === PostgresVersion.V17)', () => {
    expect(PostgresVersion.V17).toBe(PostgresVersion.V17);
  });

  test('one Spilo image for every major', () => {
    expect(SPILO_IMAGE).toBe('ghcr.io/zalando/spilo-17:4.0-p3');
  });
});
