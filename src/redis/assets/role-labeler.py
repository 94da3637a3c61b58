# Labels this pod with the role of its Redis server (ROLE_LABEL=primary|replica), so a Service
# selecting ROLE_LABEL=primary follows Sentinel's failovers. Polls `ROLE` on the local server every
# INTERVAL seconds and patches the pod's labels only when the role changed (merge patch on
# pods/<POD_NAME>; the Role allows `patch` on this StatefulSet's pod names only).
# An unreachable server or API is logged and retried, never fatal: the sidecar must not restart
# the pod. ONCE=1 runs one round (tests). SA_DIR: the ServiceAccount files.
import json, os, socket, ssl, sys, time, urllib.error, urllib.request

SA = os.environ.get('SA_DIR', '/var/run/secrets/kubernetes.io/serviceaccount')
POD = os.environ['POD_NAME']
LABEL = os.environ.get('ROLE_LABEL', 'role')
PORT = int(os.environ.get('REDIS_PORT', '6379'))
INTERVAL = float(os.environ.get('INTERVAL', '2'))


def read_line(f):
    line = f.readline()
    if not line.endswith(b'\r\n'):
        raise IOError('connection closed')
    return line[:-2]


def read_reply(f):
    """One RESP reply: simple string, error, integer, bulk string or array."""
    line = read_line(f)
    kind, rest = line[:1], line[1:]
    if kind in (b'+', b':'):
        return rest.decode()
    if kind == b'-':
        raise IOError(rest.decode())
    if kind == b'$':
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2].decode()
    if kind == b'*':
        return [read_reply(f) for _ in range(int(rest))]
    raise IOError('unexpected reply %r' % line)


def command(*args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        b = a.encode()
        out += b'$%d\r\n%s\r\n' % (len(b), b)
    return out


def redis_role():
    password = open(os.environ['PASSWORD_FILE']).read().strip()
    with socket.create_connection(('127.0.0.1', PORT), timeout=3) as s:
        s.sendall(command('AUTH', password) + command('ROLE'))
        f = s.makefile('rb')
        read_reply(f)
        role = read_reply(f)[0]
    return {'master': 'primary', 'slave': 'replica'}.get(role)


def patch_label(value):
    ns = open(SA + '/namespace').read().strip()
    token = open(SA + '/token').read().strip()
    host = os.environ['KUBERNETES_SERVICE_HOST']
    if ':' in host:
        host = '[' + host + ']'
    url = 'https://%s:%s/api/v1/namespaces/%s/pods/%s' % (host, os.environ['KUBERNETES_SERVICE_PORT'], ns, POD)
    body = json.dumps({'metadata': {'labels': {LABEL: value}}}).encode()
    req = urllib.request.Request(url, data=body, method='PATCH', headers={
        'Authorization': 'Bearer ' + token, 'Content-Type': 'application/merge-patch+json', 'Accept': 'application/json'})
    ctx = ssl.create_default_context(cafile=SA + '/ca.crt')
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return r.status


def main():
    labelled = None
    while True:
        try:
            role = redis_role()
            if role and role != labelled:
                patch_label(role)
                print('labelled %s %s=%s' % (POD, LABEL, role), flush=True)
                labelled = role
        except (OSError, KeyError, ValueError, IndexError, TypeError, urllib.error.URLError) as e:
            print('role-labeler: %s' % e, file=sys.stderr, flush=True)
        if os.environ.get('ONCE') == '1':
            return 0 if labelled else 1
        time.sleep(INTERVAL)


if __name__ == '__main__':
    sys.exit(main())
