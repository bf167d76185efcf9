"""The SMTP-like server the smtp_client port talks to. Prints its port, then
serves until killed. Not a port itself (a peer)."""
import socketserver


class Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self):
        self.reply("220 mail.example.test ESMTP ready")
        rcpts = []
        while True:
            line = self.rfile.readline().decode("ascii").rstrip("\r\n")
            if not line:
                return
            cmd = line.split(" ", 1)[0].upper()
            if cmd == "EHLO":
                self.reply("250-mail.example.test greets " + line[5:])
                self.reply("250-SIZE 10240")
                self.reply("250 8BITMIME")
            elif cmd == "MAIL":
                self.reply("250 sender ok")
            elif cmd == "RCPT":
                if line.endswith("@example.test>"):
                    rcpts.append(line)
                    self.reply("250 recipient ok")
                else:
                    self.reply("550 no such user here")
            elif cmd == "DATA":
                self.reply("354 end data with <CR><LF>.<CR><LF>")
                size = 0
                while True:
                    data = self.rfile.readline()
                    if data == b".\r\n":
                        break
                    size += len(data)
                self.reply(f"250 queued {size} bytes for {len(rcpts)} recipients")
            elif cmd == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("500 unrecognized command")


with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as server:
    print(server.server_address[1], flush=True)
    server.serve_forever()
