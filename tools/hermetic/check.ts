/**
 * The hermetic check: reads an `strace -f` log of a test run and reports
 * every `connect`, `sendto`, `sendmsg` or `sendmmsg` whose destination is
 * outside 127.0.0.0/8, ::1 (and ::ffff:127.0.0.0/104), the unspecified
 * address (which Linux connects to this host) and non-network families
 * (unix, netlink).
 *
 * Calls made inside a network namespace the run created itself
 * (`unshare(CLONE_NEWNET)` or `setns()` in that process or an ancestor, as
 * `unshare -n` does) are not traffic leaving the machine: such a namespace
 * has no route out. They are counted, not reported.
 *
 * Usage (what .ci/hermetic.sh does):
 *
 *   strace -f -qq -o LOG -e trace=connect,sendto,sendmsg,sendmmsg,unshare,setns,clone,clone3,fork,vfork CMD...
 *   deno run --allow-read tools/hermetic/check.ts LOG
 *
 * Exit status 1 when a call went to a non-loopback destination from the host's namespace.
 *
 * @module
 */

/** The outcome of checking one log. */
export interface HermeticReport {
  /** Calls to a non-loopback destination outside any namespace the run made. */
  violations: string[];
  /** Calls to loopback, unix or kernel (netlink) destinations, or with no destination. */
  allowed: number;
  /** Calls made inside a network namespace the run created. */
  inNamespace: number;
}

const CLONE_NEWNET = 0x40000000;

/** Whether an IPv4 address (dotted quad) is loopback or unspecified. */
function localV4(a: string): boolean {
  return /^127\./.test(a) || a === "0.0.0.0";
}

/** Whether an IPv6 address (as strace prints it) is loopback, unspecified or v4-mapped loopback. */
function localV6(a: string): boolean {
  const s = a.toLowerCase();
  if (s === "::1" || s === "::") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  return mapped !== null && localV4(mapped[1]);
}

/**
 * The non-local destination of a decoded syscall, or null when it has none
 * (unix, netlink, AF_UNSPEC, a NULL msg_name, loopback).
 */
export function remoteDestination(call: string): string | null {
  for (const m of call.matchAll(/\{sa_family=(AF_\w+)([^{}]*)\}/g)) {
    const [, fam, rest] = m;
    if (fam === "AF_INET") {
      const a = /sin_addr=inet_addr\("([^"]+)"\)/.exec(rest)?.[1];
      if (a !== undefined && !localV4(a)) return a;
    } else if (fam === "AF_INET6") {
      const a = /inet_pton\(AF_INET6, "([^"]+)"/.exec(rest)?.[1];
      if (a !== undefined && !localV6(a)) return a;
    } else if (fam === "AF_PACKET") {
      // a packet socket sends on a real interface unless it is lo
      if (!/sll_ifindex=(1|if_nametoindex\("lo"\))(,|$)/.test(rest.trim())) {
        return `AF_PACKET ${rest.trim()}`;
      }
    }
    // AF_UNIX, AF_NETLINK, AF_UNSPEC...: not a network destination
  }
  return null;
}

/** Checks an `strace -f -o` log (every line prefixed by its pid). */
export function checkStraceLog(log: string): HermeticReport {
  const report: HermeticReport = { violations: [], allowed: 0, inNamespace: 0 };
  const pending = new Map<string, string>();
  const inNetns = new Set<string>();
  for (const raw of log.split("\n")) {
    const lm = /^(\d+)\s+(.*)$/.exec(raw);
    if (!lm) continue;
    const pid = lm[1];
    let text = lm[2];
    // join "<unfinished ...>" with its "<... name resumed>" line
    if (text.endsWith("<unfinished ...>")) {
      pending.set(pid, text.slice(0, -"<unfinished ...>".length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(text);
    if (resumed) {
      text = (pending.get(pid) ?? "") + resumed[1];
      pending.delete(pid);
    }
    const call = /^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)(.*)$/.exec(text);
    if (!call) continue;
    const [, name, args, ret, tail] = call;
    if (name === "unshare" && ret === "0") {
      const flags = args.includes("CLONE_NEWNET") ||
        (/^\d+$/.test(args) && (Number(args) & CLONE_NEWNET) !== 0);
      if (flags) inNetns.add(pid);
      continue;
    }
    if (name === "setns" && ret === "0" && /CLONE_NEWNET|^\d+, 0\b/.test(args)) {
      inNetns.add(pid);
      continue;
    }
    if (/^(clone3?|fork|vfork)$/.test(name)) {
      if (inNetns.has(pid) && /^\d+$/.test(ret)) inNetns.add(ret);
      continue;
    }
    if (!/^(connect|sendto|sendmsg|sendmmsg)$/.test(name)) continue;
    const dest = remoteDestination(args);
    if (dest === null) {
      report.allowed++;
    } else if (inNetns.has(pid)) {
      report.inNamespace++;
    } else {
      report.violations.push(
        `pid ${pid}: ${name} to ${dest} = ${ret}${tail.trim() ? ` ${tail.trim()}` : ""}`,
      );
    }
  }
  return report;
}

if (import.meta.main) {
  const [path] = Deno.args;
  if (!path) {
    console.error("usage: check.ts STRACE_LOG");
    Deno.exit(2);
  }
  const r = checkStraceLog(Deno.readTextFileSync(path));
  console.log(
    `hermetic: ${r.allowed} calls to loopback/unix/kernel destinations, ` +
      `${r.inNamespace} inside namespaces the run created, ${r.violations.length} to other hosts`,
  );
  for (const v of r.violations) console.log(`  NOT HERMETIC: ${v}`);
  Deno.exit(r.violations.length === 0 ? 0 : 1);
}
