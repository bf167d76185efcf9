"""The service manager for the socket_activation port: binds a listener,
starts the command given with it as descriptor 3 (LISTEN_FDS=1,
LISTEN_PID=<its pid>), connects as a client, and prints the reply.
Not a port itself (the launcher)."""
import os
import socket
import sys

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(8)
port = listener.getsockname()[1]
pid = os.fork()
if pid == 0:
    if listener.fileno() == 3:
        os.set_inheritable(3, True)
    else:
        os.dup2(listener.fileno(), 3)  # the copy is inheritable
    env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
    os.execvpe(sys.argv[1], sys.argv[1:], env)
listener.close()
with socket.create_connection(("127.0.0.1", port), timeout=20) as c:
    c.sendall(b"world\n")
    reply = c.makefile("rb").readline()
print("manager: reply", reply.decode().strip(), flush=True)
_, status = os.waitpid(pid, 0)
print("manager: service exited with", os.waitstatus_to_exitcode(status))
