# Roller Job driver (container `roll`): restarts the Kafka pods whose template is out of date
# (StatefulSets with updateStrategy OnDelete), one at a time:
#   - only while every pod of the cluster is Ready (a broker is Ready once caught up: broker-ready.sh);
#   - a broker only when no partition whose ISR holds it is at or under min.insync.replicas
#     (Strimzi's rule: ISR size - 1 >= min ISR for every partition it hosts), asked through the
#     `kafka` container (assets/roll-helper.sh) with kafka-topics.sh --at/--under-min-isr-partitions;
#   - brokers first, then controllers, the active controller (kafka-metadata-quorum.sh LeaderId) last;
#   - then waits until the new pod runs the StatefulSet's updateRevision and is Ready.
# Idempotent: pods already on the update revision are left alone; a re-run continues where one stopped.
# Env: POOLS (JSON [{name, broker, controller}]), WORK_DIR (shared with the helper), STEP_TIMEOUT, POLL.
import json, os, ssl, sys, time, urllib.error, urllib.request

SA = os.environ.get('SA_DIR', '/var/run/secrets/kubernetes.io/serviceaccount')
ns = open(SA + '/namespace').read().strip()
token = open(SA + '/token').read().strip()
api = os.environ.get('KUBE_API')
ctx = None
if not api:
    host = os.environ['KUBERNETES_SERVICE_HOST']
    api = 'https://%s:%s' % ('[' + host + ']' if ':' in host else host, os.environ['KUBERNETES_SERVICE_PORT'])
    ctx = ssl.create_default_context(cafile=SA + '/ca.crt')
POOLS = json.loads(os.environ['POOLS'])
WORK = os.environ['WORK_DIR']
STEP_TIMEOUT = int(os.environ.get('STEP_TIMEOUT', '1800'))
POLL = float(os.environ.get('POLL', '10'))
REVISION = 'controller-revision-hash'
INDEX = 'apps.kubernetes.io/pod-index'
asked = [0]


def call(method, path):
    req = urllib.request.Request(api + path, method=method, headers={'Authorization': 'Bearer ' + token, 'Accept': 'application/json'})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None


def get(path):
    code, body = call('GET', path)
    if code != 200:
        finish('GET %s answered HTTP %s' % (path, code))
    return body


def finish(message=None):
    open(os.path.join(WORK, 'done'), 'w').close()
    if message:
        sys.exit(message)


def ask(question):
    """The helper's answer: (exit status, output)."""
    asked[0] += 1
    n = asked[0]
    with open(os.path.join(WORK, '.req.%d' % n), 'w') as f:
        f.write(question)
    os.rename(os.path.join(WORK, '.req.%d' % n), os.path.join(WORK, 'req.%d' % n))
    resp = os.path.join(WORK, 'resp.%d' % n)
    deadline = time.time() + 300
    while not os.path.exists(resp):
        if time.time() > deadline:
            finish('the kafka container did not answer %r within 300 s' % question)
        time.sleep(0.2)
    rc, _, out = open(resp).read().partition('\n')
    os.remove(resp)
    return int(rc), out


def revisions():
    """updateRevision of each pool, once the controller has seen the current spec."""
    out = {}
    for p in POOLS:
        deadline = time.time() + STEP_TIMEOUT
        while True:
            sts = get('/apis/apps/v1/namespaces/%s/statefulsets/%s' % (ns, p['name']))
            st = sts.get('status') or {}
            if st.get('observedGeneration', 0) >= sts['metadata'].get('generation', 0) and st.get('updateRevision'):
                out[p['name']] = st['updateRevision']
                break
            if time.time() > deadline:
                finish('StatefulSet %s: status not current after %d s' % (p['name'], STEP_TIMEOUT))
            time.sleep(POLL)
    return out


def pods():
    """Every pod of the cluster: (pool, pod)."""
    out = []
    for p in POOLS:
        sts = get('/apis/apps/v1/namespaces/%s/statefulsets/%s' % (ns, p['name']))
        sel = ','.join('%s=%s' % kv for kv in sorted(sts['spec']['selector']['matchLabels'].items()))
        for pod in get('/api/v1/namespaces/%s/pods?labelSelector=%s' % (ns, urllib.request.quote(sel)))['items']:
            out.append((p, pod))
    return out


def ready(pod):
    if pod['metadata'].get('deletionTimestamp'):
        return False
    return any(c['type'] == 'Ready' and c['status'] == 'True' for c in (pod.get('status') or {}).get('conditions') or [])


def node_id(pod):
    return int(pod['metadata']['labels'][INDEX])


def wait(what, check):
    deadline = time.time() + STEP_TIMEOUT
    while True:
        problem = check()
        if not problem:
            return
        if time.time() > deadline:
            finish('refusing to go on after %d s: %s' % (STEP_TIMEOUT, problem))
        print('waiting (%s): %s' % (what, problem), flush=True)
        time.sleep(POLL)


def not_all_ready():
    everyone = pods()
    down = sorted(pod['metadata']['name'] for _, pod in everyone if not ready(pod))
    # A pod being recreated is not listed at all: count them against spec.replicas.
    for p in POOLS:
        want = get('/apis/apps/v1/namespaces/%s/statefulsets/%s' % (ns, p['name']))['spec'].get('replicas', 1)
        have = sum(1 for q, _ in everyone if q is p)
        if have < want:
            down.append('%s (%d of %d pods)' % (p['name'], have, want))
    return down and 'not Ready: %s' % ', '.join(down)


def min_isr_blocks(nid):
    """Partitions that would go under min.insync.replicas without broker nid."""
    rc, out = ask('min-isr')
    if rc != 0:
        return 'kafka-topics.sh failed: %s' % out.strip().splitlines()[-1:]
    hit = set()
    for line in out.splitlines():
        f = line.split()
        if 'Partition:' in f and 'Isr:' in f:
            isr = f[f.index('Isr:') + 1] if f.index('Isr:') + 1 < len(f) else ''
            if str(nid) in isr.split(','):
                hit.add('%s-%s' % (f[f.index('Topic:') + 1], f[f.index('Partition:') + 1]))
    return hit and 'broker %d is in the ISR of %d partition(s) at or under min.insync.replicas: %s' % (nid, len(hit), ', '.join(sorted(hit)[:5]))


def active_controller():
    rc, out = ask('quorum')
    for line in out.splitlines():
        if line.strip().startswith('LeaderId:'):
            return int(line.split(':', 1)[1])
    finish('kafka-metadata-quorum.sh describe --status gave no LeaderId (exit %d): %s' % (rc, out.strip()[-200:]))


def main():
    restarted = 0
    while True:
        want = revisions()
        stale = [(p, pod) for p, pod in pods() if pod['metadata']['labels'].get(REVISION) != want[p['name']]]
        if not stale:
            break
        wait('cluster', not_all_ready)
        brokers = sorted((x for x in stale if not x[0]['controller']), key=lambda x: node_id(x[1]))
        if brokers:
            target = brokers[0]
        else:
            leader = active_controller()
            ordered = sorted(stale, key=lambda x: (node_id(x[1]) == leader, node_id(x[1])))
            target = ordered[0]
        pool, pod = target
        name, nid = pod['metadata']['name'], node_id(pod)
        if pool['broker']:
            wait('min ISR', lambda: min_isr_blocks(nid))
        code, _ = call('DELETE', '/api/v1/namespaces/%s/pods/%s' % (ns, name))
        if code not in (200, 202, 404):
            finish('deleting pod %s answered HTTP %s' % (name, code))
        print('restarted %s (node %d)' % (name, nid), flush=True)
        restarted += 1

        def back():
            code, p = call('GET', '/api/v1/namespaces/%s/pods/%s' % (ns, name))
            if code != 200:
                return 'pod %s not there yet' % name
            if p['metadata']['labels'].get(REVISION) != want[pool['name']] or not ready(p):
                return 'pod %s not Ready on revision %s yet' % (name, want[pool['name']])
            return None
        wait(name, back)
    print('all pods on their update revision; %d restarted' % restarted, flush=True)
    finish()


main()
