// The page's URL state, search and sort (page-state.ts), in Node: every state survives a round
// trip through its URL fragment, bad fragments fall back to the defaults, the search matches
// names and uuids word by word, and the sort keeps unknown values last in either direction.
import t from 'tap';
import { compareDomains, formatHash, isoSeconds, matcher, nextSort, parseHash, type PageState } from '../../src/export/page-state.js';
import type { OverviewDomain } from '../../src/export/overview.js';

t.test('URL fragments: round trips and what they look like', async (t) => {
  const from = Date.UTC(2026, 11, 7, 14, 5, 9);
  const to = Date.UTC(2026, 11, 7, 15, 5, 0);
  const cases: [PageState, string][] = [
    [{ view: 'overview', q: '', sort: { key: 'cpu', desc: true } }, '#'],
    [{ view: 'overview', q: 'web prod', sort: { key: 'name', desc: false } }, '#sort=name&q=web+prod'],
    [{ view: 'overview', q: '', sort: { key: 'net', desc: true } }, '#sort=-net'],
    [{ view: 'domain', domain: 'alpha', range: { live: '15m' } }, '#domain=alpha&range=15m'],
    [{ view: 'domain', domain: 'web 1/ü&x', range: { live: '7d' } }, '#domain=web+1%2F%C3%BC%26x&range=7d'],
    [{ view: 'domain', domain: 'alpha', range: { from, to } }, '#domain=alpha&from=2026-12-07T14:05:09Z&to=2026-12-07T15:05:00Z'],
  ];
  for (const [state, hash] of cases) {
    t.equal(formatHash(state), hash, `${JSON.stringify(state)} as a fragment`);
    t.same(parseHash(hash), state, `${hash} read back`);
  }
  t.equal(isoSeconds(from + 999), '2026-12-07T14:05:09Z', 'ISO 8601, UTC, whole seconds');
});

t.test('URL fragments: what else a link may hold', async (t) => {
  const overview = { view: 'overview', q: '', sort: { key: 'cpu', desc: true } };
  t.same(parseHash(''), overview, 'no fragment: the overview');
  t.same(parseHash('#sort=bogus'), overview, 'an unknown sort: the default');
  t.same(parseHash('#domain='), overview, 'an empty domain: the overview');
  t.same(parseHash('#domain=a&range=13m'), { view: 'domain', domain: 'a', range: { live: '15m' } }, 'a range not offered: 15 minutes');
  t.same(parseHash('#domain=a&from=2026-12-07T15:00:00Z&to=2026-12-07T14:00:00Z'), { view: 'domain', domain: 'a', range: { live: '15m' } }, 'to before from');
  t.same(parseHash('#domain=a&from=yesterday&to=2026-12-07T14:00:00Z'), { view: 'domain', domain: 'a', range: { live: '15m' } }, 'not ISO');
  t.same(
    parseHash('#domain=a&from=2026-12-07T14:00+01:00&to=2026-12-07T14:30:00.5Z'),
    { view: 'domain', domain: 'a', range: { from: Date.UTC(2026, 11, 7, 13, 0), to: Date.UTC(2026, 11, 7, 14, 30, 0, 500) } },
    'other zones and fractions are read; written back in UTC',
  );
  t.same(parseHash('#domain=a&range=1h&from=2026-12-07T14:00:00Z'), { view: 'domain', domain: 'a', range: { live: '1h' } }, 'from without to: the live range');
});

const dom = (name: string, uuid: string | null, over: Partial<OverviewDomain> = {}): OverviewDomain => ({
  name,
  uuid,
  id: 1,
  state: 1,
  stateWord: 'running',
  vcpus: 2,
  memBytes: 1,
  rssBytes: 1,
  cpuCores: null,
  cpuPct: null,
  diskRd: null,
  diskWr: null,
  disk: null,
  netRx: null,
  netTx: null,
  net: null,
  spark: { cpu: [], rss: [], disk: [], net: [] },
  ...over,
});

t.test('search: every word in the name or the uuid, case ignored', async (t) => {
  const doms = [dom('web-01', 'aaaa-1111'), dom('Web-02', 'bbbb-2222'), dom('db-01', 'cccc-3333'), dom('mail', null)];
  const names = (q: string) => doms.filter(matcher(q)).map((d) => d.name);
  t.same(names(''), ['web-01', 'Web-02', 'db-01', 'mail'], 'empty: all');
  t.same(names('  '), ['web-01', 'Web-02', 'db-01', 'mail'], 'blanks: all');
  t.same(names('WEB'), ['web-01', 'Web-02']);
  t.same(names('01'), ['web-01', 'db-01']);
  t.same(names('web 01'), ['web-01'], 'two words: both');
  t.same(names('CCCC'), ['db-01'], 'by uuid');
  t.same(names('2222 web'), ['Web-02'], 'a word of the uuid and one of the name');
  t.same(names('zzz'), []);
});

t.test('sort: by a column, unknown values last either way, ties by name', async (t) => {
  const doms = [
    dom('c', null, { cpuCores: 0.5, net: 10, stateWord: 'running' }),
    dom('a', null, { cpuCores: null, net: 30, stateWord: 'shut off' }),
    dom('d', null, { cpuCores: 2, net: null, stateWord: 'paused' }),
    dom('b', null, { cpuCores: 0.5, net: 20, stateWord: 'running' }),
  ];
  const order = (key: Parameters<typeof nextSort>[1], desc: boolean) => [...doms].sort(compareDomains({ key, desc })).map((d) => d.name);
  t.same(order('cpu', true), ['d', 'b', 'c', 'a']);
  t.same(order('cpu', false), ['b', 'c', 'd', 'a']);
  t.same(order('net', true), ['a', 'b', 'c', 'd']);
  t.same(order('net', false), ['c', 'b', 'a', 'd']);
  t.same(order('name', false), ['a', 'b', 'c', 'd']);
  t.same(order('state', false), ['d', 'b', 'c', 'a']);
  t.same(nextSort({ key: 'cpu', desc: true }, 'cpu'), { key: 'cpu', desc: false }, 'the same column: flipped');
  t.same(nextSort({ key: 'cpu', desc: true }, 'name'), { key: 'name', desc: false }, 'names: A to Z first');
  t.same(nextSort({ key: 'name', desc: false }, 'disk'), { key: 'disk', desc: true }, 'figures: largest first');
});
