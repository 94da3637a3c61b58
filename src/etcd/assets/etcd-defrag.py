"""Defragments every etcd member, one at a time, the leader last, then clears a NOSPACE alarm.

Defragmentation returns the space that compaction freed to the file system; it blocks the
member it runs on (reads and writes wait), so members go one by one and the leader last (one
leader change at most). A member that does not answer fails the run after the others are done.
The same RPCs as `etcdctl defrag` and `etcdctl alarm disarm`, through etcd's JSON gateway (the
official etcd image has no shell to run etcdctl from a script).

Input (env): ETCD_ENDPOINTS (comma-separated client URLs of every member), optional ETCD_CACERT
(the CA certificate that https:// endpoints are verified with).
"""
import json
import os
import ssl
import sys
import urllib.request


# https:// endpoints: verified against ETCD_CACERT (host names included); None: plain http.
CONTEXT = ssl.create_default_context(cafile=os.environ['ETCD_CACERT']) if os.environ.get('ETCD_CACERT') else None


def post(endpoint, path, body, timeout=30):
    req = urllib.request.Request(endpoint.rstrip('/') + path, data=json.dumps(body).encode(),
                                 headers={'Content-Type': 'application/json'}, method='POST')
    with urllib.request.urlopen(req, timeout=timeout, context=CONTEXT) as r:
        return json.load(r)


def main():
    endpoints = [e for e in os.environ['ETCD_ENDPOINTS'].split(',') if e]
    statuses, failed = {}, []
    for e in endpoints:
        try:
            statuses[e] = post(e, '/v3/maintenance/status', {}, timeout=10)
        except Exception as err:  # noqa: BLE001 - reported, the others still run
            print(f'etcd-defrag: {e}: {err}', file=sys.stderr)
            failed.append(e)
    order = sorted(statuses, key=lambda e: statuses[e].get('leader') == statuses[e].get('header', {}).get('member_id'))
    for e in order:
        before = int(statuses[e].get('dbSize', 0))
        try:
            post(e, '/v3/maintenance/defragment', {}, timeout=600)
            after = int(post(e, '/v3/maintenance/status', {}, timeout=10).get('dbSize', 0))
            print(f'etcd-defrag: {e}: {before} -> {after} bytes')
        except Exception as err:  # noqa: BLE001
            print(f'etcd-defrag: {e}: {err}', file=sys.stderr)
            failed.append(e)
    if statuses:
        some = order[0]
        alarms = post(some, '/v3/maintenance/alarm', {'action': 'GET', 'memberID': '0', 'alarm': 'NONE'}).get('alarms', [])
        for a in alarms:
            if a.get('alarm') == 'NOSPACE':
                post(some, '/v3/maintenance/alarm', {'action': 'DEACTIVATE', 'memberID': a.get('memberID', '0'), 'alarm': 'NOSPACE'})
                print(f"etcd-defrag: NOSPACE alarm of member {a.get('memberID')} cleared")
    if failed:
        sys.exit(f"etcd-defrag: failed on {', '.join(failed)}")


if __name__ == '__main__':
    main()
