/**
 * The type of the C library as `src/` sees it, whatever the OS: the Linux
 * table's symbols (ffi/linux.ts) plus kqueue's (ffi/darwin.ts). Each OS
 * module presents an object of this type; where its C library differs, an
 * adapter in ffi/ gives the Linux-shaped function, and a symbol it lacks
 * fails with -1 and ENOSYS (src/ never reaches those: it asks
 * `readiness`/`features` first).
 *
 * @module
 */

import type { symbols as linuxSymbols } from "./linux.ts";
import type { kqueueSymbols } from "./darwin.ts";

/** The symbol table type; every OS presents the same names and types. */
export type SymbolTable = typeof linuxSymbols & typeof kqueueSymbols;

/** The opened library's callable symbols. */
export type Libc = Deno.DynamicLibrary<SymbolTable>["symbols"];
