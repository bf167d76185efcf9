/**
 * Port of smtp_client.py: an SMTP-style line protocol client: commands out,
 * multi-line replies in, read through a text makefile().
 *
 * Usage: deno run --allow-ffi smtp_client.ts PORT
 */
import { create_connection, type Socket, type TextSocketFile } from "@sockffi/socket";

class Client {
  sock: Socket;
  file: TextSocketFile;

  constructor(port: number) {
    this.sock = create_connection(["127.0.0.1", port], 5);
    this.file = this.sock.makefile("r", null, { encoding: "ascii", newline: "\r\n" });
  }

  reply(): [number, string[]] {
    const lines: string[] = [];
    for (;;) {
      const line = this.file.readline().replace(/[\r\n]+$/, "");
      lines.push(line.slice(4));
      if (line.slice(3, 4) !== "-") return [Number(line.slice(0, 3)), lines];
    }
  }

  command(text: string): number {
    this.sock.sendall(new TextEncoder().encode(text + "\r\n"));
    const [code, lines] = this.reply();
    console.log(`> ${text}`);
    for (const line of lines) console.log(`< ${code} ${line}`);
    return code;
  }

  close(): void {
    this.file.close();
    this.sock.close();
  }
}

const client = new Client(Number(Deno.args[0]));
const [code, greeting] = client.reply();
console.log(`< ${code} ${greeting[0]}`);
client.command("EHLO client.example.test");
client.command("MAIL FROM:<alice@example.test>");
for (const rcpt of ["bob@example.test", "mallory@elsewhere.test", "carol@example.test"]) {
  client.command(`RCPT TO:<${rcpt}>`);
}
if (client.command("DATA") === 354) {
  const body = "Subject: test\r\n\r\nHello Bob,\r\n..a line starting with a dot\r\n";
  client.sock.sendall(new TextEncoder().encode(body + ".\r\n"));
  const [code, lines] = client.reply();
  console.log(`< ${code} ${lines[0]}`);
}
client.command("NOOP");
client.command("QUIT");
client.close();
