// A Xen vif's name carries its domain id: vif<domid>.<handle>[-emu].

const VIF = /^vif([0-9]+)\.([0-9]+)(-emu)?$/;

/** Whether an interface name can be this domain's: a vif must carry its id; other names are not Xen's to judge. */
export function vifBelongsTo(domid: number): (ifname: string) => boolean {
  return (ifname) => {
    const m = VIF.exec(ifname);
    return m === null || Number(m[1]) === domid;
  };
}
