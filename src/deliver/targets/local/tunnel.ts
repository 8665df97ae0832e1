import type { Socket } from "node:net";
import type { UpstreamConnection, UpstreamUser } from "./upstream-pool.js";

/**
 * A client connection after its instance switched protocols (a WebSocket): from here on bytes
 * are relayed both ways as they are, with back-pressure each way, until either side closes.
 * It takes the client socket's listeners over from the HTTP exchange and is made the user of
 * the upstream connection, which stays in its pool (never lent again) so that draining or
 * removing the instance cuts the tunnel. No timeout applies.
 */
export class Tunnel implements UpstreamUser {
  private clientEnded = false;

  /**
   * `early`: bytes the client sent after its request, before the switch was agreed; `onClose`
   * runs once the client connection has closed.
   */
  constructor(
    private readonly client: Socket,
    private readonly connection: UpstreamConnection,
    early: Buffer | undefined,
    onClose: () => void,
  ) {
    const upstream = connection.socket;
    for (const event of ["data", "end", "drain", "close"]) client.removeAllListeners(event);
    client.on("data", (chunk: Buffer) => {
      if (!upstream.write(chunk)) client.pause();
    });
    client.on("drain", () => upstream.resume());
    client.on("end", () => {
      this.clientEnded = true;
      upstream.end(); // what a half-close means is the new protocol's business
    });
    client.on("close", () => {
      onClose();
      connection.user = undefined;
      // After the client's clean end its last bytes are still being flushed to the instance.
      if (!this.clientEnded) upstream.destroy();
    });
    if (early !== undefined) upstream.write(early);
    if (client.isPaused()) client.resume();
  }

  onUpstreamData(chunk: Buffer): void {
    if (!this.client.write(chunk)) this.connection.socket.pause();
  }

  onUpstreamDrain(): void {
    this.client.resume();
  }

  onUpstreamEnd(): void {
    this.client.end();
  }

  onUpstreamClose(): void {
    // A clean end was passed on and the instance's last bytes may still be on their way.
    if (!this.connection.socket.readableEnded) this.client.destroy();
  }
}
