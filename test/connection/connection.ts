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

t.test("a domain is looked up as virsh does: a running domain's id, then a UUID, then a name", async (t) => {
  // Shut-off definitions named like web1's id and like its UUID must not shadow web1.
  const xmlDir = t.testdir({
    'three.xml': '<domain type="xen"><name>3</name><uuid>22222222-2222-2222-2222-222222222222</uuid></domain>',
    'uuid-named.xml': '<domain type="xen"><name>3ef03971-0d42-55d8-9c52-4ca0e5e13c45</name><uuid>33333333-3333-3333-3333-333333333333</uuid></domain>',
    'numeric.xml': '<domain type="xen"><name>99</name><uuid>44444444-4444-4444-4444-444444444444</uuid></domain>',
  });
  const conn = new Connection({ root: fixture('xen-4.x-pv-libxl'), xmlDir });
  t.equal(conn.lookupDomain('3').name, 'web1', "'3' is web1's id before it is a name");
  t.equal(conn.lookupDomain('3EF03971-0D42-55D8-9C52-4CA0E5E13C45').name, 'web1', 'a UUID (any case) before a name');
  t.equal(conn.lookupDomain('3ef03971-0d42-55d8-9c52-4ca0e5e13c45').name, 'web1');
  t.equal(conn.lookupDomain('99').name, '99', 'no running domain has id 99: the name');
  t.equal(conn.lookupDomain('22222222-2222-2222-2222-222222222222').name, '3', 'a shut-off domain by its UUID');
  t.equal(conn.lookupDomain('web1').name, 'web1', 'a name');
  t.throws(() => conn.lookupDomain('0'), { message: "failed to get domain '0'" }, 'id 0 (dom0) is not a domain of the inventory');
  t.throws(() => conn.lookupDomain('4294967299'), { message: "failed to get domain '4294967299'" }, 'an id past a C int is looked up as a name');
});
