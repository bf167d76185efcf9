/**
 * Port of syslog_unix.py: a syslog daemon and client over AF_UNIX datagram
 * sockets, as logging.handlers.SysLogHandler talks to /dev/log:
 * "<PRI>message" datagrams.
 */
import { AF_UNIX, SOCK_DGRAM, socket } from "@sockffi/socket";

const FACILITIES: Record<number, string> = { 1: "user", 3: "daemon", 16: "local0" };
const SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

function encode(facility: number, severity: number, message: string): Uint8Array {
  return new TextEncoder().encode(`<${facility * 8 + severity}>${message}`);
}

const d = Deno.makeTempDirSync();
try {
  const path = `${d}/log`;
  using daemon = socket(AF_UNIX, SOCK_DGRAM);
  daemon.bind(path);
  console.log(
    "daemon bound to a path ending in /log:",
    String(daemon.getsockname()).endsWith("/log"),
  );

  using client = socket(AF_UNIX, SOCK_DGRAM);
  client.connect(path);
  client.send(encode(1, 6, "app[42]: started"));
  client.send(encode(3, 3, "db: connection lost"));
  client.sendto(encode(16, 7, "trace: x=1 ü"), path);

  using named = socket(AF_UNIX, SOCK_DGRAM);
  named.bind(`${d}/client`);
  named.sendto(encode(1, 4, "from a named socket"), path);

  daemon.settimeout(5);
  for (let i = 0; i < 4; i++) {
    const [data, addr] = daemon.recvfrom(2048);
    const text = new TextDecoder().decode(data);
    const [pri, message] = [text.slice(1, text.indexOf(">")), text.slice(text.indexOf(">") + 1)];
    const [facility, severity] = [Math.floor(Number(pri) / 8), Number(pri) % 8];
    const sender = !addr ? "unnamed" : String(addr).split("/").pop();
    console.log(
      `${FACILITIES[facility]}.${SEVERITIES[severity]}: ${message} (from ${sender}, ${
        !addr ? (addr === null ? "None" : "''") : "a path"
      })`,
    );
  }
} finally {
  Deno.removeSync(d, { recursive: true });
}
