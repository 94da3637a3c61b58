// Internal: pinned images. Not re-exported (jsii exports classes, interfaces and enums only).
import { PostgresVersion } from '../postgres-version';

/**
 * Spilo bundles PostgreSQL 13-17, Patroni 4.0.4 (`ENV PATRONIVERSION=4.0.4` in
 * zalando/spilo postgres-appliance/Dockerfile at tag 4.0-p3) and WAL-G, and is what Zalando's
 * postgres-operator runs in production. Patroni itself publishes no image (its
 * kubernetes/Dockerfile is a demo), so Spilo is the maintained image that bundles it.
 */
export const SPILO_IMAGE = 'ghcr.io/zalando/spilo-17:4.0-p3';

/** Official images (docker-library/postgres), Debian bookworm, uid 999. */
export const OFFICIAL_IMAGES: { [v: string]: string } = {
  [PostgresVersion.V15]: 'docker.io/library/postgres:15.14-bookworm',
  [PostgresVersion.V16]: 'docker.io/library/postgres:16.10-bookworm',
  [PostgresVersion.V17]: 'docker.io/library/postgres:17.6-bookworm',
};

/** Spilo's postgres user and group (uid 101, gid 103): postgres-operator's spilo_runasuser/_runasgroup/_fsgroup. */
export const SPILO_UID = 101;
export const SPILO_GID = 103;
/** The official image's postgres user and group. */
export const OFFICIAL_UID = 999;
export const OFFICIAL_GID = 999;
