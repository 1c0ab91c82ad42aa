import * as fs from 'node:fs';
import t from 'tap';
import { parseProcPidCgroup, type ProcCgroupLine } from '../../src/kernel/proc-pid-cgroup.js';
import { fixture } from '../helpers/cli.js';

const SRC = '/proc/20728/cgroup';
const bad = (message: RegExp) => ({ name: 'ParseError', code: 'PARSE', source: SRC, message });

t.test('parses hierarchy, controllers and path', async (t) => {
  const cases: [string, string, ProcCgroupLine[]][] = [
    ['cgroup v2 "0::/x": hierarchy 0, no controllers', '0::/x\n', [{ hierarchy: 0, controllers: [], path: '/x' }]],
    ['v1 with one controller', '4:memory:/machine/a\n', [{ hierarchy: 4, controllers: ['memory'], path: '/machine/a' }]],
    ['v1 with a controller list', '5:cpu,cpuacct:/machine/a\n', [{ hierarchy: 5, controllers: ['cpu', 'cpuacct'], path: '/machine/a' }]],
    ['named hierarchy', '12:name=systemd:/user.slice\n', [{ hierarchy: 12, controllers: ['name=systemd'], path: '/user.slice' }]],
    ['root path', '3:pids:/\n', [{ hierarchy: 3, controllers: ['pids'], path: '/' }]],
    [
      'path containing ":" survives',
      '6:cpu,cpuacct:/machine/qemu-1-a:b.libvirt-qemu/vcpu:0\n',
      [{ hierarchy: 6, controllers: ['cpu', 'cpuacct'], path: '/machine/qemu-1-a:b.libvirt-qemu/vcpu:0' }],
    ],
    ['v2 path containing "::"', '0::/a::b\n', [{ hierarchy: 0, controllers: [], path: '/a::b' }]],
    ['path with spaces kept verbatim', '0::/odd name/x \n', [{ hierarchy: 0, controllers: [], path: '/odd name/x ' }]],
    [
      'several lines',
      '2:cpuset:/c\n0::/d\n',
      [
        { hierarchy: 2, controllers: ['cpuset'], path: '/c' },
        { hierarchy: 0, controllers: [], path: '/d' },
      ],
    ],
    ['largest exact hierarchy id', '9007199254740991:cpu:/\n', [{ hierarchy: 9007199254740991, controllers: ['cpu'], path: '/' }]],
  ];
  for (const [name, text, want] of cases) t.strictSame(parseProcPidCgroup(text, SRC), want, name);
});

t.test('the captured hybrid-mode /proc/20728/cgroup', async (t) => {
  const text = fs.readFileSync(fixture('libvirt9-qemu7-hybrid-cgroup', 'proc/20728/cgroup'), 'utf8');
  const dom = '/machine/qemu-7-lab-busy.libvirt-qemu';
  t.strictSame(parseProcPidCgroup(text, SRC), [
    { hierarchy: 9, controllers: ['name=systemd'], path: '/' },
    { hierarchy: 8, controllers: ['pids'], path: '/' },
    { hierarchy: 7, controllers: ['blkio'], path: dom },
    { hierarchy: 6, controllers: ['freezer'], path: dom },
    { hierarchy: 5, controllers: ['devices'], path: '/' },
    { hierarchy: 4, controllers: ['memory'], path: dom },
    { hierarchy: 3, controllers: ['cpuset'], path: `${dom}/emulator` },
    { hierarchy: 2, controllers: ['cpuacct'], path: '/' },
    { hierarchy: 1, controllers: ['cpu'], path: `${dom}/emulator` },
    { hierarchy: 0, controllers: [], path: `${dom}/emulator` },
  ]);
});

t.test('rejects bad input', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['only newlines', '\n\n', /empty/],
    ['garbage', 'garbage\n', /malformed line "garbage"/],
    ['truncated after the controllers', '4:memory\n', /malformed line "4:memory"/],
    ['truncated after the hierarchy', '4:\n', /malformed line "4:"/],
    ['cut short: the path may name a parent group', '0::/machine.slice', /truncated \(no final newline\)/],
    ['relative path', '0::machine/x\n', /relative cgroup path "machine\/x"/],
    ['relative path containing ":/"', '1:cpu:machine:/x\n', /relative cgroup path "machine:\/x"/],
    ['empty path (truncated)', '1:cpu:\n', /relative cgroup path ""/],
    ['non-numeric hierarchy', 'x:cpu:/\n', /malformed line/],
    ['negative hierarchy', '-1:cpu:/\n', /malformed line/],
    ['empty hierarchy', ':cpu:/\n', /malformed line/],
    ['hex hierarchy', '0x1:cpu:/\n', /malformed line/],
    ['space before hierarchy', ' 1:cpu:/\n', /malformed line/],
    ['hierarchy beyond exact integers', '9007199254740993:cpu:/\n', /hierarchy id out of range/],
    ['bad line after good ones', '0::/a\n1:cpu:rel\n', /relative cgroup path "rel"/],
  ];
  for (const [name, text, message] of cases) t.throws(() => parseProcPidCgroup(text, SRC), bad(message), name);
});
