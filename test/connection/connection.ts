// Connection-level argument checks that do not belong to one driver.
import t from 'tap';
import { Connection } from '../../src/connection/connection.js';
import { StatsFlag, StatsGroup } from '../../src/stats/groups.js';
import { fixture } from '../helpers/cli.js';

const conn = new Connection({ root: fixture('xen-4.x-pv-libxl') });

t.test('flags libvirt does not define are refused with its text', async (t) => {
  t.throws(() => conn.getAllDomainStats(0, 1 << 20), { message: 'invalid argument: unsupported flags (0x100000) in function virConnectGetAllDomainStats' });
  t.throws(() => conn.domainListGetStats(conn.listAllDomains(), 0, 1 << 8), {
    message: 'invalid argument: unsupported flags (0x100) in function virConnectGetAllDomainStats',
  });
});

t.test('every defined flag is accepted together', async (t) => {
  const all = 0xff + StatsFlag.NOWAIT + StatsFlag.BACKING + StatsFlag.ENFORCE_STATS;
  // Each filter group fully set (active+inactive, persistent+transient, every state) matches every domain.
  t.equal(conn.getAllDomainStats(StatsGroup.STATE, all).length, 5);
});
