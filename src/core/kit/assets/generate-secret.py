
import base64, json, os, secrets, ssl, sys, urllib.error, urllib.request
SA = '/var/run/secrets/kubernetes.io/serviceaccount'
ns = open(SA + '/namespace').read().strip()
token = open(SA + '/token').read().strip()
ctx = ssl.create_default_context(cafile=SA + '/ca.crt')
host = os.environ['KUBERNETES_SERVICE_HOST']
if ':' in host:
    host = '[' + host + ']'
api = 'https://%s:%s/api/v1/namespaces/%s/secrets' % (host, os.environ['KUBERNETES_SERVICE_PORT'], ns)
name = os.environ['SECRET_NAME']
keys = [k for k in os.environ['SECRET_KEYS'].split(',') if k]

def call(method, url, body=None, ctype='application/json'):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        'Authorization': 'Bearer ' + token, 'Content-Type': ctype, 'Accept': 'application/json'})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None

def password():
    return base64.b64encode(secrets.token_urlsafe(24).encode()).decode()

code, current = call('GET', api + '/' + name)
if code == 404:
    body = {'apiVersion': 'v1', 'kind': 'Secret', 'type': 'Opaque',
            'metadata': {'name': name, 'labels': json.loads(os.environ['SECRET_LABELS'])},
            'data': {k: password() for k in keys}}
    code, _ = call('POST', api, body)
    if code != 201:
        sys.exit('creating Secret %s failed with HTTP %s; retrying' % (name, code))
    print('created Secret %s with keys %s' % (name, ', '.join(keys)))
elif code == 200:
    missing = [k for k in keys if k not in (current.get('data') or {})]
    if missing:
        code, _ = call('PATCH', api + '/' + name,
                       {'metadata': {'resourceVersion': current['metadata']['resourceVersion']},
                        'data': {k: password() for k in missing}},
                       'application/merge-patch+json')
        if code != 200:
            sys.exit('adding keys to Secret %s failed with HTTP %s; retrying' % (name, code))
        print('added keys %s to Secret %s' % (', '.join(missing), name))
    else:
        print('Secret %s exists with every key; nothing to do' % name)
else:
    sys.exit('reading Secret %s failed with HTTP %s; retrying' % (name, code))
