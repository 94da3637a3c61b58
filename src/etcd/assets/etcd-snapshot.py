"""Saves an etcd snapshot to BACKUP_DIR and keeps the newest KEEP files.

The same RPC as `etcdctl snapshot save` (Maintenance.Snapshot), through etcd's own JSON gateway:
the official etcd image is distroless (no shell to run etcdctl from a script), so this runs in a
python image. The stream is the bbolt file followed by its SHA-256, which is checked before the
file is kept; `etcdutl snapshot restore` checks it again. Written as `<name>.part`, renamed when
complete, so a failed run never leaves a file that looks whole.

Input (env): ETCD_ENDPOINTS (comma-separated client URLs; the first that answers is used),
BACKUP_DIR, KEEP (files kept, >= 1), optional SNAPSHOT_PREFIX (default 'etcd'), optional ETCD_CACERT
(the CA certificate that https:// endpoints are verified with).
"""
import base64
import hashlib
import json
import os
import ssl
import sys
import time
import urllib.request


# https:// endpoints: verified against ETCD_CACERT (host names included); None: plain http.
CONTEXT = ssl.create_default_context(cafile=os.environ['ETCD_CACERT']) if os.environ.get('ETCD_CACERT') else None


def post(endpoint, path, body, timeout=30):
    req = urllib.request.Request(endpoint.rstrip('/') + path, data=json.dumps(body).encode(),
                                 headers={'Content-Type': 'application/json'}, method='POST')
    return urllib.request.urlopen(req, timeout=timeout, context=CONTEXT)


def status(endpoint):
    with post(endpoint, '/v3/maintenance/status', {}, timeout=10) as r:
        return json.load(r)


def main():
    endpoints = [e for e in os.environ['ETCD_ENDPOINTS'].split(',') if e]
    backup_dir = os.environ['BACKUP_DIR']
    keep = int(os.environ['KEEP'])
    prefix = os.environ.get('SNAPSHOT_PREFIX', 'etcd')
    if keep < 1:
        sys.exit('etcd-snapshot: KEEP must be at least 1')
    chosen, st = None, None
    for e in endpoints:
        try:
            st = status(e)
            chosen = e
            break
        except Exception as err:  # noqa: BLE001 - an unreachable member: try the next
            print(f'etcd-snapshot: {e}: {err}', file=sys.stderr)
    if chosen is None:
        sys.exit('etcd-snapshot: no member answered')
    revision = st.get('header', {}).get('revision', '0')
    name = f"{prefix}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-rev{revision}.db"
    part = os.path.join(backup_dir, name + '.part')
    digest = hashlib.sha256()
    tail = b''
    size = 0
    with post(chosen, '/v3/maintenance/snapshot', {}, timeout=600) as r, open(part, 'wb') as out:
        for line in r:
            if not line.strip():
                continue
            msg = json.loads(line)
            if 'error' in msg:
                os.unlink(part)
                sys.exit(f"etcd-snapshot: {chosen}: {msg['error']}")
            blob = base64.b64decode(msg.get('result', msg).get('blob', ''))
            out.write(blob)
            size += len(blob)
            # All but the last 32 bytes are the database; the last 32 its SHA-256.
            data = tail + blob
            digest.update(data[:-32])
            tail = data[-32:]
        out.flush()
        os.fsync(out.fileno())
    if size <= 32 or digest.digest() != tail:
        os.unlink(part)
        sys.exit(f'etcd-snapshot: the snapshot from {chosen} ({size} bytes) fails its SHA-256 check')
    final = os.path.join(backup_dir, name)
    os.rename(part, final)
    print(f'etcd-snapshot: saved {final} ({size} bytes, revision {revision}) from {chosen}')
    snaps = sorted(f for f in os.listdir(backup_dir) if f.startswith(prefix + '-') and f.endswith('.db'))
    for old in snaps[:-keep]:
        os.unlink(os.path.join(backup_dir, old))
        print(f'etcd-snapshot: removed {old} (keeping {keep})')
    for stale in (f for f in os.listdir(backup_dir) if f.endswith('.db.part') and f != name + '.part'):
        os.unlink(os.path.join(backup_dir, stale))


if __name__ == '__main__':
    main()
