/**
 * Supported PostgreSQL major versions. Each maps to pinned images: Spilo for the Patroni
 * (high-availability) mode, the official `postgres` image for the streaming mode.
 *
 * Spilo 4.0-p3 (`ghcr.io/zalando/spilo-17:4.0-p3`) ships the binaries of PostgreSQL 13 to 17 in
 * one image and picks the major with `PGVERSION` when it creates a cluster, so every version here
 * uses the same Spilo tag.
 */
export enum PostgresVersion {
  /** PostgreSQL 15 (community support until November 2027). */
  V15 = '15',
  /** PostgreSQL 16 (community support until November 2028). */
  V16 = '16',
  /** PostgreSQL 17 (community support until November 2029). */
  V17 = '17',
}
