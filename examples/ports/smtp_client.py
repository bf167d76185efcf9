"""An SMTP-style line protocol client: commands out, multi-line replies in,
read through a text makefile().

Usage: smtp_client.py PORT   (the server is on 127.0.0.1:PORT)
"""
import socket
import sys


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.file = self.sock.makefile("r", encoding="ascii", newline="\r\n")

    def reply(self):
        lines = []
        while True:
            line = self.file.readline().rstrip("\r\n")
            lines.append(line[4:])
            if line[3:4] != "-":
                return int(line[:3]), lines

    def command(self, text):
        self.sock.sendall(text.encode("ascii") + b"\r\n")
        code, lines = self.reply()
        print(f"> {text}")
        for line in lines:
            print(f"< {code} {line}")
        return code

    def close(self):
        self.file.close()
        self.sock.close()


client = Client(int(sys.argv[1]))
code, greeting = client.reply()
print(f"< {code} {greeting[0]}")
client.command("EHLO client.example.test")
client.command("MAIL FROM:<alice@example.test>")
for rcpt in ("bob@example.test", "mallory@elsewhere.test", "carol@example.test"):
    client.command(f"RCPT TO:<{rcpt}>")
if client.command("DATA") == 354:
    body = "Subject: test\r\n\r\nHello Bob,\r\n..a line starting with a dot\r\n"
    client.sock.sendall(body.encode("ascii") + b".\r\n")
    code, lines = client.reply()
    print(f"< {code} {lines[0]}")
client.command("NOOP")
client.command("QUIT")
client.close()
