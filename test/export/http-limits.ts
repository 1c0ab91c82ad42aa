// The HTTP side's bounds, in-process: bad parameters are 400 with a JSON reason (never 500), a
// query past its time 422, a full history queue 503; duplicate keys are one series and points are
// bounded; Host names outside the allowlist get 421 (DNS rebinding) while loopback names, IP
// addresses, the listen address, this host's name and --allow-host names are answered; connections
// beyond the limit are refused; a client pipelining without reading gets 429 and is cut off;
// /metrics is rendered once per tick and the same bytes served until the next.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { acceptsGzip, StatsServer, type ServerLimits } from '../../src/export/http-server.js';
import { TickCache } from '../../src/export/tick-cache.js';
import { exportInputOf } from '../../src/export/records.js';
import { ReadOnlyStore } from '../../src/export/read-store.js';
import { hostName, HostAllowList, checkAllowHost } from '../../src/export/host-allow.js';
import { buildHistory } from '../helpers/agent-history.js';
import { COL, NetDev, privateTree } from '../helpers/moving.js';

interface HistoryJson {
  tier: string | null;
  step: number | null;
  times: number[];
  series: { key: string; device: string | null; unit: string; values: (number | null)[] }[];
}

/** A server on a history of 20 ticks, 1 s apart, alpha's vnet0 receiving 2000 bytes/s (tx in the host's view). */
async function rig(t: Test, limits: Partial<ServerLimits> = {}, allowHosts: string[] = []) {
  const root = privateTree(t, 'kvm-cgroup1-systemd');
  const netdev = new NetDev(path.join(root, 'proc/net/dev'));
  const h = await buildHistory(t, root, { ticks: 20, stepMs: 1000, bump: (k) => netdev.setFromBase('vnet0', COL.TX_BYTES, BigInt(2000 * k)).write() });
  const cache = new TickCache();
  cache.update(exportInputOf(h.agent.latest!));
  const store = new ReadOnlyStore(h.dbFile);
  const server = new StatsServer({ tick: cache, store, allowHosts, hostname: 'xen-07', limits });
  const at = await server.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    await server.close();
    store.close();
  });
  const base = `http://127.0.0.1:${at.port}`;
  return { h, cache, server, port: at.port, base };
}

/** Raw bytes over one connection; resolves with everything the server sent until it closed or `until` says enough. */
function raw(port: number, text: string, until: (got: string) => boolean = () => false): Promise<{ got: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      s.destroy();
      resolve({ got, closed });
    };
    s.on('data', (b) => {
      got += b.toString('latin1');
      if (until(got)) finish(false);
    });
    s.on('close', () => finish(true));
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? finish(true) : reject(e)));
    s.write(text);
  });
}

const statuses = (got: string) => [...got.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));

t.test('history: 400s, 422, 503, duplicate keys, bounded points', async (t) => {
  const { base, h } = await rig(t);
  const get = async (q: string) => {
    const r = await fetch(`${base}/api/history?${q}`);
    return { status: r.status, type: r.headers.get('content-type'), body: (await r.json()) as HistoryJson & { error?: string } };
  };
  for (const [q, error] of [
    ['keys=cpu.time', 'domain: missing (a name, uuid or @host)'],
    ['domain=alpha&since=yesterday', "since: not a time: 'yesterday' (e.g. 1h, 2026-11-22T10:00:00Z)"],
    ['domain=alpha&until=soon', "until: not a time: 'soon' (e.g. 1h, 2026-11-22T10:00:00Z)"],
    ['domain=alpha&step=fast', "step: not a duration: 'fast' (e.g. 30s, 5m, 2h, 7d)"],
    ['domain=alpha&step=0s', 'step: must be more than 0'],
    ['domain=alpha&since=1h&until=2h', 'until: before since'],
    ['domain=alpha&rate=yes', "rate: expected 1 or 0, got 'yes'"],
    ['domain=alpha&points=0', "points: expected a whole number from 1 to 5000, got '0'"],
    ['domain=alpha&points=5001', "points: expected a whole number from 1 to 5000, got '5001'"],
    ['domain=alpha&points=1e3', "points: expected a whole number from 1 to 5000, got '1e3'"],
    ['domain=alpha&domain=beta', 'domain: given 2 times'],
    [`domain=alpha&keys=${Array.from({ length: 65 }, (_, i) => `net.${i}.rx.bytes`).join(',')}`, 'keys: 65 keys; at most 64 per request'],
  ] as const) {
    const r = await get(q);
    t.strictSame([r.status, r.type, r.body], [400, 'application/json; charset=utf-8', { error }], `${q.slice(0, 60)}: 400, ${error}`);
  }

  const once = await get('domain=alpha&keys=net.0.rx.bytes&rate=1&since=1h');
  const dup = await get('domain=alpha&keys=net.0.rx.bytes,net.0.rx.bytes,net.0.rx.bytes&rate=1&since=1h');
  t.equal(dup.status, 200);
  t.strictSame(dup.body, once.body, 'a key asked three times is one series');
  t.equal(once.body.times.length, 20, 'every tick: 20 points');
  t.strictSame(once.body.series[0]!.values.slice(1), Array(19).fill(2000), 'at 2000 bytes/s');

  const few = await get('domain=alpha&keys=net.0.rx.bytes&rate=1&since=1h&points=4');
  t.ok(few.body.times.length <= 4, `points=4: ${few.body.times.length} rows`);
  t.ok(few.body.step! >= 3600 / 4, `a step of span ÷ points at least: ${few.body.step} s`);
  t.ok(
    few.body.series[0]!.values.every((v) => v === null || v === 2000),
    'still 2000 bytes/s',
  );
  const tiny = await get(`domain=alpha&keys=net.0.rx.bytes&rate=1&since=${new Date(h.times[0]!).toISOString()}&step=1ms&points=5`);
  t.strictSame([tiny.body.tier, tiny.body.step], ['raw', 5], '19 s of ticks asked at 1 ms steps, 5 points: 5 s steps');
  t.ok(tiny.body.times.length <= 5);
});

t.test('history: past its time, 422; queue full, 503', async (t) => {
  const slow = await rig(t, { history: { maxKeys: 64, defaultPoints: 1000, maxPoints: 5000, maxRead: 100_000, timeoutMs: -1 } });
  const r = await fetch(`${slow.base}/api/history?domain=alpha&keys=cpu.time`);
  t.equal(r.status, 422);
  t.strictSame(await r.json(), { error: 'history: the query took too long: ask for fewer keys, a shorter span or a larger step (limit -0.001 s)' });
  const busy = await rig(t, { historyQueue: 0 });
  const b = await fetch(`${busy.base}/api/history?domain=alpha&keys=cpu.time`);
  t.strictSame([b.status, b.headers.get('retry-after'), await b.json()], [503, '1', { error: 'history: busy with other queries; try again shortly' }]);
  const bad = await fetch(`${busy.base}/api/history?domain=alpha&since=x`);
  t.equal(bad.status, 400, 'a malformed request is 400 even when the queue is full');
});

t.test("the page's queries (/api/series, /api/overview) share the history's queue and time limit", async (t) => {
  const slow = await rig(t, { history: { maxKeys: 64, defaultPoints: 1000, maxPoints: 5000, maxRead: 100_000, timeoutMs: -1 } });
  const r = await fetch(`${slow.base}/api/series?domain=alpha&since=15m`);
  t.equal(r.status, 422, 'a series past its time: 422');
  t.match(await r.json(), { error: /^history: the query took too long/ });
  const busy = await rig(t, { historyQueue: 0 });
  for (const route of ['/api/series?domain=alpha', '/api/overview']) {
    const b = await fetch(`${busy.base}${route}`);
    t.strictSame(
      [b.status, b.headers.get('retry-after'), await b.json()],
      [503, '1', { error: 'history: busy with other queries; try again shortly' }],
      `${route}: queue full, 503`,
    );
  }
  // A span of 100 years (the longest) over 20 s of data: answered from the blocks the tables hold
  // (a lookup per block of the span would take minutes and end in 422 at this limit of a minute).
  const ok = await rig(t, { history: { maxKeys: 64, defaultPoints: 1000, maxPoints: 5000, maxRead: 100_000, timeoutMs: 60_000 } });
  const far = await fetch(`${ok.base}/api/series?domain=alpha&since=100y`);
  t.equal(far.status, 200, 'a span of 100 years');
  const farther = await fetch(`${ok.base}/api/series?domain=alpha&since=100000y`);
  t.strictSame([farther.status, await farther.json()], [400, { error: "since: '100000y' is longer than 100 years" }], 'a longer one is refused');
  t.ok((await far.json()).times.length > 0, 'answers with the data there is');
  t.equal((await fetch(`${ok.base}/metrics`)).status, 200, '/metrics answers after it');
});

t.test('history answers on one kept-alive connection: counted until taken, no listener left on its socket', async (t) => {
  const { server, port } = await rig(t);
  const internal = server as unknown as { server: http.Server; historyUnsent: number };
  const sockets: net.Socket[] = [];
  internal.server.on('connection', (s: net.Socket) => sockets.push(s));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (p: string) =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: p, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        })
        .on('error', reject);
    });
  const ask = async (n: number) => {
    const got: number[] = [];
    for (let i = 0; i < n; i++) got.push(await get('/api/history?domain=alpha&keys=net.0.rx.bytes,cpu.time&rate=1&since=1h'));
    got.push(await get('/metrics')); // the history answers before it are done with
    return got;
  };
  t.strictSame(await ask(2), [200, 200, 200]);
  const before = sockets[0]!.listenerCount('close');
  t.strictSame(await ask(30), Array(31).fill(200), '30 more answers on the same connection');
  t.equal(sockets.length, 1, 'one connection throughout');
  t.equal(sockets[0]!.listenerCount('close'), before, `its socket's close listeners: ${before}, not one more per answer`);
  agent.destroy();
  await once(sockets[0]!, 'close');
  t.equal(internal.historyUnsent, 0, 'every answer taken: no bytes counted as unsent');
});

t.test('Host allowlist', async (t) => {
  const { port } = await rig(t, {}, ['grafana.example.net', '*.lab.example']);
  const ask = async (host: string | null) => {
    const r = await raw(port, `GET /metrics HTTP/1.${host === null ? '0' : '1'}\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`);
    return statuses(r.got)[0];
  };
  for (const host of [
    `localhost:${port}`,
    'LOCALHOST',
    'localhost.',
    `127.0.0.1:${port}`,
    '10.1.2.3',
    `[::1]:${port}`,
    'app.localhost',
    'xen-07',
    'grafana.example.net:9177',
    'kvm-3.lab.example',
  ])
    t.equal(await ask(host), 200, `Host ${host}: answered`);
  t.equal(await ask(null), 200, 'HTTP/1.0 without Host: answered (no browser sends that)');
  for (const host of [
    'evil.example',
    'localhost.evil.example',
    'xen-07.evil.example',
    'lab.example',
    '127.0.0.1.nip.io',
    'grafana.example.net.evil.example',
    '[::1',
    'a b',
  ])
    t.equal(await ask(host), 421, `Host ${host}: refused`);
  const r = await raw(port, `GET /metrics HTTP/1.1\r\nHost: rebind.attacker.example\r\nConnection: close\r\n\r\n`);
  t.match(r.got, /^HTTP\/1\.1 421 Misdirected Request\r\n/);
  t.match(
    r.got,
    /\r\n\r\nthis agent does not answer for Host 'rebind\.attacker\.example'; start it with --allow-host rebind\.attacker\.example to allow that name\n$/,
  );
  const twice = await raw(port, `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: rebind.attacker.example\r\nConnection: close\r\n\r\n`);
  t.match(twice.got, /^HTTP\/1\.1 400 /, 'two Host headers: 400');
  const absolute = await raw(port, `GET http://rebind.attacker.example/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  t.match(absolute.got, /^HTTP\/1\.1 421 /, "an absolute-form target's host is the one checked");
  const absoluteOk = await raw(port, `GET http://127.0.0.1/metrics HTTP/1.1\r\nHost: rebind.attacker.example\r\nConnection: close\r\n\r\n`);
  t.match(absoluteOk.got, /^HTTP\/1\.1 200 /, 'and answered when it is allowed');
  for (const target of ['//metrics', '//anything/metrics', '//127.0.0.1/metrics']) {
    const doubled = await raw(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    t.match(doubled.got, /^HTTP\/1\.1 404 /, `${target} is a path that is not served, not another page or /metrics`);
  }
  for (const bad of ['', 'a b', '[::1']) {
    const r = await raw(port, `GET /metrics HTTP/1.1\r\nHost: ${bad}\r\nConnection: close\r\n\r\n`);
    t.match(
      r.got,
      new RegExp(`^HTTP/1\\.1 421 [^]*\\r\\n\\r\\nthis agent does not answer for Host '${bad.replace(/[[\]]/g, '\\$&')}': not a host name\\n$`),
      `Host '${bad}': no --allow-host advice it would refuse`,
    );
  }
  const userinfo = await raw(port, `GET http://u@rebind.attacker.example/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  t.match(userinfo.got, /--allow-host rebind\.attacker\.example to allow that name\n$/, 'its advice names the host, without the userinfo');

  t.strictSame(['Example.NET:80', '[::1]:9177', '[::1]', 'a:b:c', '', ':80'].map(hostName), ['example.net', '[::1]', '[::1]', null, null, null]);
  const allow = new HostAllowList([]);
  t.equal(allow.allows('[fe80::zz]'), false, 'not an IPv6 address');
  t.equal(checkAllowHost('Grafana.Example.NET'), 'grafana.example.net');
  t.throws(() => checkAllowHost('evil/x'), {
    message: "--allow-host: not a host name: 'evil/x' (e.g. xen-01.example.net, or *.example.net for every name under it)",
  });
});

t.test('connections beyond the limit are refused', async (t) => {
  const { port } = await rig(t, { maxConnections: 2 });

  // Two connections kept open (each answered once, so the server counts them); a third is refused.
  const keep = [0, 1].map(() => net.connect(port, '127.0.0.1'));
  t.teardown(() => keep.forEach((s) => s.destroy()));
  for (const s of keep) {
    await new Promise<void>((resolve) => {
      s.once('data', () => resolve());
      s.write('GET /api/domains HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
  }
  const third = await raw(port, 'GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n', (g) => g.includes('\r\n\r\n'));
  t.strictSame([third.closed, third.got], [true, ''], 'a third connection is closed unanswered');
});

t.test('the queue of connections not yet accepted holds as many as may be open', async (t) => {
  const { port } = await rig(t, { maxConnections: 300 });
  // ss shows a listening socket's backlog as its Send-Q (the kernel caps it at net.core.somaxconn).
  const ss = spawnSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
  if (ss.status !== 0) return t.plan(0, `ss (iproute2) not available: ${(ss.stderr || String(ss.error)).trim()}`);
  const somaxconn = Number(fs.readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
  t.equal(Number(ss.stdout.trim().split(/\s+/)[2]), Math.min(300, somaxconn), `backlog ${ss.stdout.trim()}`);
});

t.test('pipelining, 405, 404, 400, and /metrics once per tick', async (t) => {
  const { port, base, cache, h } = await rig(t, { maxQueuedPerConnection: 3 });
  // Nine requests pipelined in one write, none of the answers read in between: three are
  // answered, the fourth gets 429 and the connection ends.
  const req = 'GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n';
  const piped = await raw(port, req.repeat(9));
  t.strictSame(statuses(piped.got), [200, 200, 200, 429], 'three answers, then 429 and the end of the connection');
  t.match(piped.got, /too many requests waiting on one connection \(at most 3\)\n$/);
  t.ok(piped.closed);
  const many = await raw(port, req.repeat(400));
  t.strictSame([statuses(many.got), many.closed], [[200, 200, 200, 429], true], '400 requests: the same');

  const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
  t.strictSame([post.status, post.headers.get('allow'), await post.text()], [405, 'GET, HEAD', 'only GET and HEAD\n']);
  const nf = await fetch(`${base}/nope`);
  t.strictSame([nf.status, await nf.text()], [404, 'not found\n']);
  const junk = await raw(port, 'BREW /pot HTCPCP/1.0\r\n\r\n');
  t.equal(statuses(junk.got)[0], 400, 'not HTTP: 400 (node parses it), not 500');

  // /metrics: rendered once per tick and format, the same bytes between ticks.
  const before = cache.renders;
  const bodies = await Promise.all(Array.from({ length: 5 }, async () => (await fetch(`${base}/metrics`)).text()));
  t.equal(new Set(bodies).size, 1, 'five scrapes, one body');
  t.equal(cache.renders, before, 'already rendered for this tick (by the pipelined scrapes above): no new render');
  const om = await (await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })).text();
  t.ok(om.endsWith('# EOF\n'));
  t.equal(cache.renders, before + 1, 'OpenMetrics: its own render, once');
  const latest = exportInputOf(h.agent.latest!);
  cache.update({ ...latest, ticks: 21, ts: latest.ts + 1000 });
  const next = await (await fetch(`${base}/metrics`)).text();
  t.not(next, bodies[0], 'a new tick: a new body');
  t.match(next, /^domstat_ticks_total 21$/m);
  t.equal(cache.renders, before + 2);
  t.equal(await (await fetch(`${base}/metrics`)).text(), next, 'and the same until the next');

  // gzip for scrapers that take it (Prometheus does), compressed once per tick too.
  const gz = await raw(port, 'GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n');
  const [head, ...rest] = gz.got.split('\r\n\r\n');
  t.match(head, /\r\ncontent-encoding: gzip\r\n/);
  t.equal(gunzipSync(Buffer.from(rest.join('\r\n\r\n'), 'latin1')).toString(), next, 'gzipped: the same text');
  t.equal(cache.renders, before + 2, 'no new render for it');
  const refused = await raw(port, 'GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip;q=0, identity\r\nConnection: close\r\n\r\n');
  t.notMatch(refused.got, /content-encoding/, 'gzip;q=0: plain');
  t.strictSame(['gzip', 'deflate, gzip', 'GZIP;q=0.5', 'x-gzip', 'gzip;q=0', 'br', '', undefined].map(acceptsGzip), [
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});
