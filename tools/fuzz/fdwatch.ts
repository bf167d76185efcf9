/**
 * Which descriptors the library's own C calls created, for leak checks that
 * Deno's runtime cannot fool: Deno opens descriptors of its own now and then
 * (a unix socketpair appears on the main thread outside any FFI call), so a
 * plain count of /proc/self/fd gives false leaks.
 *
 * {@linkcode watchLibraryFds} wraps `Deno.dlopen` before the library opens the
 * C library: `socket`, `socketpair`, `accept`/`accept4`, `fcntl(F_DUPFD*)`,
 * `dup`/`dup3`, `epoll_create1`, `eventfd` and `pipe` record the
 * `/proc/self/fd` link (`socket:[inode]`) of each descriptor they return, and
 * `recvmsg` records what appeared while it ran (SCM_RIGHTS). Used by the
 * fuzzer's children and the soak test.
 *
 * @module
 */

const realDlopen = Deno.dlopen;

/** The /proc/self/fd link of a descriptor, or null when it is not open. */
export function linkOf(fd: number): string | null {
  try {
    return Deno.readLinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/** The open descriptors and their /proc/self/fd links. */
export function fdTable(): Map<number, string> {
  const t = new Map<number, string>();
  for (const e of Deno.readDirSync("/proc/self/fd")) {
    const l = linkOf(Number(e.name));
    // null: the directory's own descriptor, gone by now
    if (l !== null) t.set(Number(e.name), l);
  }
  return t;
}

function fdNumbers(): Set<number> {
  const set = new Set<number>();
  for (const e of Deno.readDirSync("/proc/self/fd")) set.add(Number(e.name));
  return set;
}

const FD_RESULT = new Set(["socket", "accept", "accept4", "epoll_create1", "eventfd"]);

/**
 * Starts recording descriptors made by C functions opened through
 * `Deno.dlopen` from now on (call it before the library's first call: it
 * opens the C library lazily, so leave the watch on). Returns the record:
 * /proc link → `label()` at the time it was made.
 */
export function watchLibraryFds(label: () => string): Map<string, string> {
  const made = new Map<string, string>();
  const note = (fd: number, how: string): void => {
    const l = linkOf(fd);
    if (l !== null && !made.has(l)) made.set(l, `${how} in ${label()}`);
  };
  (Deno as unknown as { dlopen: unknown }).dlopen = (
    path: string,
    symbols: Deno.ForeignLibraryInterface,
  ) => {
    const lib = realDlopen(path, symbols);
    const wrapped: Record<string, unknown> = { ...lib.symbols };
    for (const [name, fn] of Object.entries(lib.symbols)) {
      if (typeof fn !== "function") continue;
      const f = fn as (...a: unknown[]) => unknown;
      if (FD_RESULT.has(name)) {
        wrapped[name] = (...a: unknown[]): unknown => {
          const r = f(...a);
          if (typeof r === "number" && r >= 0) note(r, name);
          return r;
        };
      } else if (name === "fcntl") {
        wrapped[name] = (...a: unknown[]): unknown => {
          const r = f(...a);
          // F_DUPFD (0) and F_DUPFD_CLOEXEC (1030) return a new descriptor
          if (typeof r === "number" && r >= 0 && (a[1] === 0 || a[1] === 1030)) {
            note(r, "fcntl dup");
          }
          return r;
        };
      } else if (name === "socketpair" || name === "pipe" || name === "pipe2") {
        wrapped[name] = (...a: unknown[]): unknown => {
          const r = f(...a);
          const out = a[3] ?? a[0];
          if (r === 0 && out instanceof Int32Array) {
            note(out[0], name);
            note(out[1], name);
          }
          return r;
        };
      } else if (name === "recvmsg" || name === "dup" || name === "dup3") {
        wrapped[name] = (...a: unknown[]): unknown => {
          const before = fdNumbers();
          const r = f(...a);
          if ((typeof r === "number" && r >= 0) || (typeof r === "bigint" && r >= 0n)) {
            for (const fd of fdNumbers()) if (!before.has(fd)) note(fd, name);
          }
          return r;
        };
      }
    }
    return { ...lib, symbols: wrapped, close: () => lib.close() } as unknown as Deno.DynamicLibrary<
      Deno.ForeignLibraryInterface
    >;
  };
  return made;
}

/** Forgets the recorded descriptors that are closed now (keeps a long run's record small). */
export function forgetClosed(made: Map<string, string>): void {
  const open = new Set(fdTable().values());
  for (const link of made.keys()) if (!open.has(link)) made.delete(link);
}
