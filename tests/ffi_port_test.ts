/**
 * The OS adapters of ffi/: the pieces of the macOS `Libc` (ffi/_darwin_libc.ts)
 * that do not depend on macOS's own prototypes run here over glibc's
 * functions with the same C prototype (gethostbyname, getservbyname,
 * getprotobyname, fcntl), so their copying and close-on-exec logic is
 * tested on real libc data before it ever runs on a Mac. Plus type-level
 * checks that every OS table presents the whole `Libc` type.
 */
import { assert, assertEquals } from "@std/assert";
import {
  cloexecAfter,
  copyHostent,
  copyProtoent,
  copyServent,
  type Fcntl3,
  portableDarwin,
} from "../ffi/_darwin_libc.ts";
import type { DarwinCommon, symbols_aarch64, symbols_x86_64 } from "../ffi/darwin.ts";
import { errno, features, layout, type Libc, libc, readiness } from "../ffi/mod.ts";
import { errnoValues, sys } from "../constants/mod.ts";
import { AF_INET, AF_UNIX, SOCK_STREAM } from "../mod.ts";
import { linuxOnly } from "./_platform.ts";

// ---- type level: the macOS tables give the same Libc as Linux's ----
// (deno check runs these whatever Deno.build.os is: the darwin branches of
// ffi/mod.ts are type-checked on Linux too.)
type Raw<T extends Deno.ForeignLibraryInterface> = Deno.DynamicLibrary<T>["symbols"];
const _darwinIsPortable: (raw: DarwinCommon, f: Fcntl3, e: Int32Array, l: typeof layout) => Libc =
  portableDarwin;
const _x86Fcntl: (r: Raw<typeof symbols_x86_64>) => Fcntl3 = (r) => r.fcntl;
const _armFcntl: (r: Raw<typeof symbols_aarch64>) => Fcntl3 = (r) => (fd, cmd, arg) =>
  r.fcntl(fd, cmd, 0n, 0n, 0n, 0n, 0n, 0n, BigInt(arg));
const _kqueue: (l: Libc) => number = (l) => l.kevent(l.kqueue(), null, 0, null, 0, null);

const glibc = Deno.build.os === "linux"
  ? Deno.dlopen("libc.so.6", {
    gethostbyname: { parameters: ["buffer"], result: "pointer" },
    getservbyname: { parameters: ["buffer", "buffer"], result: "pointer" },
    getprotobyname: { parameters: ["buffer"], result: "pointer" },
  }).symbols
  : null;

const cstr = (s: string): Uint8Array => new TextEncoder().encode(`${s}\0`);

function ptrAt(b: Uint8Array, off: number): Deno.PointerValue {
  return Deno.UnsafePointer.create(new DataView(b.buffer).getBigUint64(off, true));
}

function strAt(p: Deno.PointerValue): string {
  return p === null ? "" : Deno.UnsafePointerView.getCString(p);
}

Deno.test({
  name: "copyHostent copies a libc hostent into the caller's buffers, ERANGE when too small",
  ...linuxOnly("runs the macOS adapter over glibc's gethostbyname"),
  fn(): void {
    const H = layout.hostent;
    const hp = glibc!.gethostbyname(cstr("localhost"));
    assert(hp !== null, "localhost is in /etc/hosts");
    const srcName = strAt(new Deno.UnsafePointerView(hp).getPointer(H.h_name));
    const ret = new Uint8Array(H.size);
    assertEquals(copyHostent(hp, ret, new Uint8Array(8), layout), errnoValues.ERANGE);
    const buf = new Uint8Array(1024);
    assertEquals(copyHostent(hp, ret, buf, layout), 0);
    const dv = new DataView(ret.buffer);
    assertEquals(strAt(ptrAt(ret, H.h_name)), srcName);
    assertEquals(dv.getInt32(H.h_addrtype, true), AF_INET);
    assertEquals(dv.getInt32(H.h_length, true), 4);
    const list = ptrAt(ret, H.h_addr_list);
    assert(list !== null);
    const base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
    const first = new Deno.UnsafePointerView(list).getPointer(0);
    assert(first !== null);
    const at = BigInt(Deno.UnsafePointer.value(first)) - base;
    assert(at >= 0n && at < 1024n, "the address lives in the caller's buffer");
    assertEquals([...buf.subarray(Number(at), Number(at) + 4)], [127, 0, 0, 1]);
    assertEquals(new Deno.UnsafePointerView(list).getPointer(8), null);
  },
});

Deno.test({
  name: "copyServent and copyProtoent copy libc entries (http/tcp is 80, udp is 17)",
  ...linuxOnly("runs the macOS adapter over glibc's getservbyname/getprotobyname"),
  fn(): void {
    const S = layout.servent;
    const sp = glibc!.getservbyname(cstr("http"), cstr("tcp"));
    assert(sp !== null);
    const ret = new Uint8Array(S.size);
    const buf = new Uint8Array(256);
    assertEquals(copyServent(sp, ret, buf, layout), 0);
    const net = new DataView(ret.buffer).getInt32(S.s_port, true) & 0xffff;
    assertEquals(((net & 0xff) << 8) | (net >> 8), 80);
    assertEquals(strAt(ptrAt(ret, S.s_name)), "http");
    assertEquals(strAt(ptrAt(ret, S.s_proto)), "tcp");
    assertEquals(copyServent(sp, ret, new Uint8Array(4), layout), errnoValues.ERANGE);

    const E = layout.protoent;
    const pp = glibc!.getprotobyname(cstr("udp"));
    assert(pp !== null);
    const pret = new Uint8Array(E.size);
    assertEquals(copyProtoent(pp, pret, new Uint8Array(256), layout), 0);
    assertEquals(new DataView(pret.buffer).getInt32(E.p_proto, true), 17);
    assertEquals(strAt(ptrAt(pret, E.p_name)), "udp");
  },
});

Deno.test({
  name: "cloexecAfter sets FD_CLOEXEC and clears an inherited O_NONBLOCK; on failure keeps errno",
  ...linuxOnly("uses glibc's fcntl as the three-int fcntl"),
  fn(): void {
    const L = libc();
    const errnoCell = new Int32Array(1);
    const fd = L.socket(AF_UNIX, SOCK_STREAM, 0); // without SOCK_CLOEXEC
    assert(fd >= 0);
    try {
      assertEquals(L.fcntl(fd, sys.F_GETFD, 0) & sys.FD_CLOEXEC, 0);
      L.fcntl(fd, sys.F_SETFL, L.fcntl(fd, sys.F_GETFL, 0) | sys.O_NONBLOCK);
      assertEquals(cloexecAfter(fd, true, L.fcntl, L.close, errnoCell), fd);
      assertEquals(L.fcntl(fd, sys.F_GETFD, 0) & sys.FD_CLOEXEC, sys.FD_CLOEXEC);
      assertEquals(L.fcntl(fd, sys.F_GETFL, 0) & sys.O_NONBLOCK, 0);
    } finally {
      L.close(fd);
    }
    // A closed descriptor: fcntl fails with EBADF, which survives the cleanup close.
    const cell = new Int32Array(1);
    const viaErrno: Fcntl3 = (f, c, a) => {
      const r = L.fcntl(f, c, a);
      cell[0] = errno();
      return r;
    };
    assertEquals(cloexecAfter(fd, false, viaErrno, () => (cell[0] = 0), cell), -1);
    assertEquals(cell[0], errnoValues.EBADF);
  },
});

Deno.test({
  name: "ffi/mod.ts on Linux: epoll, every atomic close-on-exec flag, and kqueue fails as ENOSYS",
  ...linuxOnly("checks Linux's readiness and features"),
  fn(): void {
    assertEquals(readiness, { mechanism: "epoll", waker: "eventfd" });
    assertEquals(features, {
      sockCloexec: true,
      accept4: true,
      msgNoSignal: true,
      soNoSigpipe: false,
      cmsgCloexec: true,
      saLen: false,
    });
    // kqueue is typed into every Libc; without it the call fails as a missing syscall.
    assertEquals(libc().kqueue(), -1);
    assertEquals(errno(), errnoValues.ENOSYS);
  },
});
