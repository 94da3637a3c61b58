// Internal: pinned images and the users they run as.
import { PostgresVersion } from '../postgres-version';

/**
 * Spilo bundles PostgreSQL 13-17, Patroni 4.0.4 (`ENV PATRONIVERSION=4.0.4` in
 * zalando/spilo postgres-appliance/Dockerfile at tag 4.0-p3) and WAL-G, and is what Zalando's
 * postgres-operator runs in production. Patroni itself publishes no image (its
 * kubernetes/Dockerfile is a demo), so Spilo is the maintained image that bundles it.
 */
export const SPILO_IMAGE = 'ghcr.io/zalando/spilo-17:4.0-p3';
/** The majors whose binaries SPILO_IMAGE ships. */
export const SPILO_MAJORS = ['13', '14', '15', '16', '17'];

/** Official image (docker-library/postgres) of a release, Debian bookworm, uid 999. */
export function officialImage(version: PostgresVersion): string {
  return `docker.io/library/postgres:${version.fullVersion}-bookworm`;
}

/** Spilo's postgres user and group (uid 101, gid 103): postgres-operator's spilo_runasuser/_runasgroup/_fsgroup. */
export const SPILO_UID = 101;
export const SPILO_GID = 103;
/** The official image's postgres user and group. */
export const OFFICIAL_UID = 999;
export const OFFICIAL_GID = 999;
