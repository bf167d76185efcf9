/**
 * The worker of bench/wait_bench.ts's "worker" and "threadsafe" candidates:
 * blocked in a synchronous `epoll_wait` on the main thread's epoll
 * instance, it tells the main thread about every return, either through a
 * SharedArrayBuffer counter and `Atomics.notify` (the main thread awaits
 * `Atomics.waitAsync`) or by calling a `Deno.UnsafeCallback.threadSafe`
 * function pointer of the main thread's.
 *
 * @module
 */

/// <reference lib="deno.worker" />

const lib = Deno.dlopen("libc.so.6", {
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
}).symbols;

self.onmessage = (e: MessageEvent) => {
  const { epfd, sab, callback } = e.data as {
    epfd: number;
    sab: SharedArrayBuffer;
    callback: bigint | null;
  };
  const cell = new Int32Array(sab);
  const events = new Uint8Array(12 * 4);
  const fn = callback === null ? null : new Deno.UnsafeFnPointer(
    Deno.UnsafePointer.create(callback)!,
    { parameters: [], result: "void" } as const,
  );
  for (;;) {
    const n = lib.epoll_wait(epfd, events, 4, -1);
    if (Atomics.load(cell, 1) !== 0) break;
    if (n <= 0) continue;
    Atomics.add(cell, 0, 1);
    if (fn === null) Atomics.notify(cell, 0);
    else fn.call();
  }
  self.close();
};
