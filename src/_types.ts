/**
 * The shared shapes of bytes and addresses, with no imports of their own,
 * so every layer of src/ can name them.
 *
 * @module
 */

/**
 * Bytes going in: any ArrayBuffer or view of one (Python's bytes-like
 * object). A view's offset and length are honoured.
 */
export type Bytes = ArrayBufferView | ArrayBufferLike;

/** An IPv4 address: `[host, port]`. */
export type InetAddress = [host: string, port: number];
/** An IPv6 address as returned: `[host, port, flowinfo, scope_id]`. */
export type Inet6Address = [host: string, port: number, flowinfo: number, scope_id: number];
/** An IPv6 address as accepted: 2 to 4 elements. */
export type Inet6AddressIn =
  | [host: string, port: number]
  | [host: string, port: number, flowinfo: number]
  | [host: string, port: number, flowinfo: number, scope_id: number];

/**
 * A socket address in any family's representation: a string or bytes for
 * AF_UNIX, a tuple for the others (CPython's shapes). Received addresses
 * are `null` when the kernel gave none.
 */
export type Address =
  | string
  | Uint8Array
  | InetAddress
  | Inet6Address
  | readonly (string | number | bigint | Uint8Array | null | undefined)[];

/** Addresses as accepted by bind/connect/sendto: any BufferSource stands for bytes. */
export type AddressIn = Address | Inet6AddressIn | Bytes;
