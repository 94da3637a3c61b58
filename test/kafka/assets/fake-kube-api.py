# A fake Kubernetes API server for the roller test: serves StatefulSets and pods from STATE (JSON),
# logs every request to STATE.log, and on DELETE of a pod "recreates" it on its StatefulSet's
# updateRevision, Ready (what the StatefulSet controller and a caught-up broker would do).
# Writes the port it listens on to STATE.port.
import json, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

STATE = sys.argv[1]


def load():
    return json.load(open(STATE))


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        with open(STATE + '.log', 'a') as f:
            f.write('%s %s\n' % (method, self.path))
        if self.headers.get('Authorization') != 'Bearer test-token':
            return self.reply(401, {})
        s = load()
        u = urllib.parse.urlparse(self.path)
        parts = u.path.strip('/').split('/')
        if parts[:2] == ['apis', 'apps'] and parts[5] == 'statefulsets':
            sts = s['statefulsets'].get(parts[6])
            return self.reply(200, sts) if sts else self.reply(404, {})
        if parts[:2] == ['api', 'v1'] and parts[4] == 'pods':
            if len(parts) == 5:
                sel = dict(kv.split('=') for kv in urllib.parse.parse_qs(u.query)['labelSelector'][0].split(','))
                items = [p for p in s['pods'] if all(p['metadata']['labels'].get(k) == v for k, v in sel.items())]
                return self.reply(200, {'items': items})
            pod = next((p for p in s['pods'] if p['metadata']['name'] == parts[5]), None)
            if not pod:
                return self.reply(404, {})
            if method == 'DELETE':
                sts = next(x for x in s['statefulsets'].values() if all(pod['metadata']['labels'].get(k) == v for k, v in x['spec']['selector']['matchLabels'].items()))
                pod['metadata']['labels']['controller-revision-hash'] = sts['status']['updateRevision']
                pod['status'] = {'conditions': [{'type': 'Ready', 'status': 'True'}]}
                json.dump(s, open(STATE, 'w'))
            return self.reply(200, pod)
        return self.reply(404, {})

    def do_GET(self):
        self.handle_any('GET')

    def do_DELETE(self):
        self.handle_any('DELETE')


srv = HTTPServer(('127.0.0.1', 0), H)
open(STATE + '.port', 'w').write(str(srv.server_address[1]))
srv.serve_forever()
