// The hermetic checker (tools/hermetic/check.ts, run by .ci/hermetic.sh):
// its reading of strace logs, and a real deliberate leak it must catch. The
// leak is a UDP connect() to 192.0.2.1 (TEST-NET-1): connect on a datagram
// socket only sets the default destination, so nothing leaves the machine,
// but strace sees a call addressed off the host.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { checkStraceLog, remoteDestination } from "../tools/hermetic/check.ts";
import { linuxOnlyFile } from "./_platform.ts";

linuxOnlyFile("strace and Linux network namespaces check the suite's traffic");

Deno.test("hermetic: loopback, unix, netlink and unspecified destinations pass", () => {
  const log = [
    `100 connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16) = 0`,
    `100 connect(4, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.8.9.10")}, 16) = -1 ECONNREFUSED (Connection refused)`,
    `100 connect(5, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0`,
    `100 connect(6, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = 0`,
    `100 connect(7, {sa_family=AF_UNIX, sun_path="/run/x.sock"}, 110) = 0`,
    `100 sendto(8, "abc", 3, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 3`,
    `100 sendto(9, "abc", 3, MSG_NOSIGNAL, NULL, 0) = 3`,
    `100 sendmsg(9, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="a", iov_len=1}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 1`,
    `100 connect(10, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("0.0.0.0")}, 16) = 0`,
    `100 connect(11, {sa_family=AF_UNSPEC, sa_data="\\0\\0"}, 16) = 0`,
  ].join("\n");
  const r = checkStraceLog(log);
  assertEquals(r.violations, []);
  assertEquals(r.allowed, 10);
});

Deno.test("hermetic: other destinations are reported, in every call and address form", () => {
  const log = [
    `200 connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0`,
    `200 sendto(4, "q", 1, 0, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = 1`,
    `200 sendmsg(5, {msg_name={sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("192.0.2.7")}, msg_namelen=16, msg_iov=[], msg_iovlen=0, msg_controllen=0, msg_flags=0}, 0) = 0`,
    `201 connect(6, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("8.8.8.8")}, 16 <unfinished ...>`,
    `200 sendto(9, "x", 1, 0, NULL, 0) = 1`,
    `201 <... connect resumed>) = -1 ENETUNREACH (Network is unreachable)`,
    `202 connect(7, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::ffff:10.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = 0`,
  ].join("\n");
  const r = checkStraceLog(log);
  assertEquals(r.violations.length, 5, r.violations.join("\n"));
  assertMatch(r.violations[0], /10\.255\.255\.53/);
  assertMatch(r.violations[1], /2001:db8::1/);
  assertMatch(r.violations[2], /192\.0\.2\.7/);
  // a refused call from the host's namespace still means the run tried to leave the machine
  assertMatch(r.violations[3], /8\.8\.8\.8 = -1/);
  assertMatch(r.violations[4], /::ffff:10\.0\.0\.1/);
});

Deno.test("hermetic: calls inside a namespace the run created (and its children) are only counted", () => {
  const log = [
    `300 unshare(CLONE_NEWNET) = 0`,
    `300 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 301`,
    `301 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0}, 88) = 302`,
    `302 connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = -1 ENETUNREACH (Network is unreachable)`,
    `300 sendto(4, "q", 1, 0, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("255.255.255.255")}, 16) = -1 ENETUNREACH (Network is unreachable)`,
    `400 unshare(CLONE_NEWUTS) = 0`,
    `400 connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0`,
  ].join("\n");
  const r = checkStraceLog(log);
  assertEquals(r.inNamespace, 2);
  assertEquals(r.violations.length, 1);
  assertMatch(r.violations[0], /^pid 400: connect to 10\.255\.255\.53/);
});

Deno.test("hermetic: packet sockets pass only on lo", () => {
  assertEquals(
    remoteDestination(
      `3, "x", 1, 0, {sa_family=AF_PACKET, sll_protocol=htons(ETH_P_ALL), sll_ifindex=if_nametoindex("lo"), sll_hatype=ARPHRD_NETROM, sll_pkttype=PACKET_HOST, sll_halen=0}, 20`,
    ),
    null,
  );
  assert(
    remoteDestination(
      `3, "x", 1, 0, {sa_family=AF_PACKET, sll_protocol=htons(ETH_P_ALL), sll_ifindex=if_nametoindex("eth0"), sll_hatype=ARPHRD_NETROM, sll_pkttype=PACKET_HOST, sll_halen=0}, 20`,
    ) !== null,
  );
});

// ---- a real run under strace ---------------------------------------------------

async function has(cmd: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

const STRACE = await has("strace", ["-V"]) &&
  await has("strace", ["-f", "-qq", "-o", "/dev/null", "true"]);
const UNSHARE = await has("unshare", ["-n", "true"]);
if (!STRACE) {
  console.log(
    "hermetic_test: strace is missing or cannot trace here, so the live checks are ignored",
  );
}

const leak = `
import { AF_INET, SOCK_DGRAM, socket } from "${new URL("../mod.ts", import.meta.url).href}";
const s = socket(AF_INET, SOCK_DGRAM);
try { s.connect(["192.0.2.1", 9]); } catch (e) { console.log("connect:", (e as Error).message); }
s.close();
`;

async function traced(prefix: string[]): Promise<ReturnType<typeof checkStraceLog>> {
  const dir = await Deno.makeTempDir({ prefix: "sockffi-hermetic-" });
  try {
    const log = `${dir}/strace.log`;
    const r = await new Deno.Command("strace", {
      args: [
        "-f",
        "-qq",
        "-o",
        log,
        "-e",
        "trace=connect,sendto,sendmsg,sendmmsg,unshare,setns,clone,clone3,fork,vfork",
        ...prefix,
        Deno.execPath(),
        "eval",
        "--no-check",
        leak,
      ],
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(r.success, new TextDecoder().decode(r.stderr));
    return checkStraceLog(await Deno.readTextFile(log));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "hermetic: a deliberate connect to 192.0.2.1 is caught",
  ignore: !STRACE,
  async fn(): Promise<void> {
    const r = await traced([]);
    assertEquals(r.violations.length, 1, r.violations.join("\n"));
    assertMatch(r.violations[0], /connect to 192\.0\.2\.1/);
  },
});

Deno.test({
  name: "hermetic: the same connect inside `unshare -n` is not traffic off the machine",
  ignore: !STRACE || !UNSHARE,
  async fn(): Promise<void> {
    const r = await traced(["unshare", "-n"]);
    assertEquals(r.violations, []);
    assertEquals(r.inNamespace, 1);
  },
});
