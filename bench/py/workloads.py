"""CPython's side of bench/compare.ts: the workloads of bench/c/workloads.c
with the `socket` module (sync) and asyncio streams (async).

Same command line and the same one-line JSON output as the C program; see
bench/c/workloads.c for the modes.
"""

import asyncio
import json
import socket
import sys
import time

now_ns = time.perf_counter_ns


def out(obj):
    print(json.dumps(obj), flush=True)


def report_ops(ops, ns, cpu0=None):
    """Prints the result; with cpu0 (time.process_time() at the start), the CPU seconds since."""
    if cpu0 is None:
        out({"ops": ops, "ns": ns})
    else:
        out({"ops": ops, "ns": ns, "cpu": time.process_time() - cpu0})


def bound(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    return s


def listener():
    s = bound(socket.SOCK_STREAM)
    s.listen(1024)
    out({"port": s.getsockname()[1]})
    return s


def connect_to(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def accept_one(lsock):
    c, _ = lsock.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def timed_loop(op, max_iters, budget_ms, warmup, batch):
    for _ in range(warmup):
        op()
    cpu0 = time.process_time()
    t0 = now_ns()
    deadline = t0 + budget_ms * 1_000_000
    n = 0
    while True:
        for _ in range(batch):
            op()
        n += batch
        t1 = now_ns()
        if n >= max_iters or t1 >= deadline:
            break
    report_ops(n, t1 - t0, cpu0)


def run_pair(max_iters, budget_ms, warmup):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    one = b"x"
    buf = bytearray(64)
    send = a.send
    recv_into = b.recv_into

    def op():
        if send(one) != 1 or recv_into(buf) != 1:
            raise RuntimeError("short transfer")

    timed_loop(op, max_iters, budget_ms, warmup, 256)


def run_udp(max_iters, budget_ms, warmup):
    a = bound(socket.SOCK_DGRAM)
    b = bound(socket.SOCK_DGRAM)
    to = b.getsockname()
    msg = b"x" * 64
    buf = bytearray(2048)
    sendto = a.sendto
    recvfrom_into = b.recvfrom_into

    def op():
        sendto(msg, to)
        n, _addr = recvfrom_into(buf)
        if n != 64:
            raise RuntimeError("short datagram")

    timed_loop(op, max_iters, budget_ms, warmup, 256)


def run_pingpong_server():
    lsock = listener()
    c = accept_one(lsock)
    buf = bytearray(64)
    while True:
        n = c.recv_into(buf)
        if n == 0:
            break
        c.sendall(buf[:n])
    c.close()
    out({"done": True})


def run_pingpong_client(port, max_iters, budget_ms, warmup):
    s = connect_to(port)
    one = b"x"
    buf = bytearray(64)

    def op():
        s.send(one)
        if s.recv_into(buf) != 1:
            raise RuntimeError("short reply")

    timed_loop(op, max_iters, budget_ms, warmup, 64)
    s.close()


def run_bulk_server():
    lsock = listener()
    c = accept_one(lsock)
    buf = bytearray(65536)
    total = 0
    while True:
        n = c.recv_into(buf)
        if n == 0:
            break
        total += n
    c.sendall(b"k")
    c.close()
    out({"received": total})


def run_bulk_client(port, total, chunk):
    s = connect_to(port)
    data = b"x" * chunk
    t0 = now_ns()
    sent = 0
    while sent < total:
        want = min(chunk, total - sent)
        s.sendall(data if want == chunk else data[:want])
        sent += want
    s.shutdown(socket.SHUT_WR)
    if s.recv(1) != b"k":
        raise RuntimeError("no ack")
    t1 = now_ns()
    s.close()
    out({"bytes": sent, "ns": t1 - t0})


async def echo(reader, writer):
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        data = await reader.read(4096)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def async_server():
    server = await asyncio.start_server(echo, "127.0.0.1", 0, backlog=1024)
    out({"port": server.sockets[0].getsockname()[1]})
    async with server:
        await server.serve_forever()


async def async_client(port, conns, budget_ms, warmup_ms):
    start = now_ns()
    t0 = start + warmup_ms * 1_000_000
    t1 = t0 + budget_ms * 1_000_000
    counts = [0, 0]  # [during warmup, measured]
    cpu0 = []  # time.process_time() when the measured part began

    async def one_conn():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            writer.write(b"x")
            await writer.drain()
            await reader.readexactly(1)
            t = now_ns()
            if t >= t1:
                break
            if t >= t0 and not cpu0:
                cpu0.append(time.process_time())
            counts[1 if t >= t0 else 0] += 1
        writer.close()

    await asyncio.gather(*(one_conn() for _ in range(conns)))
    report_ops(counts[1], budget_ms * 1_000_000, cpu0[0] if cpu0 else None)


def main():
    mode = sys.argv[1]
    args = [int(a) for a in sys.argv[2:]]
    if mode == "pair":
        run_pair(*args)
    elif mode == "udp":
        run_udp(*args)
    elif mode == "pingpong-server":
        run_pingpong_server()
    elif mode == "pingpong-client":
        run_pingpong_client(*args)
    elif mode == "bulk-server":
        run_bulk_server()
    elif mode == "bulk-client":
        run_bulk_client(*args)
    elif mode == "async-server":
        asyncio.run(async_server())
    elif mode == "async-client":
        asyncio.run(async_client(*args))
    else:
        out({"error": f"unknown mode {mode}"})
        sys.exit(2)


if __name__ == "__main__":
    main()
