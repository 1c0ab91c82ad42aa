import { Command } from 'commander';
import { connect, hostOptions, type HostOptions } from './common.js';
import { printJson } from './io.js';
import { type Io } from '../common/io.js';
import { formatTable } from '../export/virsh-text.js';
import { StatsFlag } from '../stats/groups.js';
import { STATE_WORDS } from '../stats/states.js';

export function listCommand(io: Io): Command {
  return hostOptions(new Command('list').description('list domains (virsh list)'))
    .option('--all', 'active and inactive domains')
    .option('--inactive', 'inactive domains only')
    .action((opts: HostOptions & { all?: boolean; inactive?: boolean }) => {
      const flags = opts.all ? 0 : opts.inactive ? StatsFlag.INACTIVE : StatsFlag.ACTIVE;
      const doms = connect(opts, io).listAllDomains(flags);
      if (opts.json) {
        printJson(
          io,
          doms.map((d) => ({ id: d.id, name: d.name, uuid: d.uuid ?? null, type: d.hvType, state: d.state, reason: d.reason, persistent: d.persistent })),
        );
        return;
      }
      io.out(
        formatTable(
          ['Id', 'Name', 'State'],
          doms.map((d) => [d.id >= 0 ? String(d.id) : '-', d.name, STATE_WORDS[d.state]]),
        ) + '\n',
      );
    });
}
