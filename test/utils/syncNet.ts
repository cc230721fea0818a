/**
 * Block-sync tests over real libp2p loopback: hosts with distinct deterministic keys (stopped together),
 * a full node's sync manager connected to its peers one by one (the first one handshaken first), and a
 * bounded wait for its catch-up.
 */
import "../../node/network/polyfills.ts";
import { multiaddr } from "@multiformats/multiaddr";
import { createHost, type Host } from "../../node/network/host.ts";
import type { SyncManager } from "../../node/sync/syncManager.ts";

export class TestHosts {
  readonly #hosts: Host[] = [];

  /** `firstSeed`: the first host's key byte; files running at once keep their ranges apart */
  constructor(private seed: number) {}

  async create(): Promise<Host> {
    const host = (await createHost({
      networkKey: new Uint8Array(32).fill(this.seed++),
      listen: ["/ip4/127.0.0.1/tcp/0"],
      maxGossipBytes: 1 << 20,
    })) as Host;
    this.#hosts.push(host);
    return host;
  }

  async stopAll(): Promise<void> {
    for (const h of this.#hosts) await h.stop();
  }
}

/** Dials `peers` from `host` in order, handshaking each with `manager` before the next; then starts it. */
export async function connectSync(host: Host, manager: SyncManager, peers: readonly Host[]): Promise<void> {
  for (const p of peers) {
    await host.dial(multiaddr(p.getMultiaddrs()[0]!.toString()));
    await manager.addPeer(p.peerId.toString());
  }
  manager.start();
}

/** Resolves once `manager` has caught up with its peers; fails after `ms`. */
export async function caughtUp(manager: SyncManager, ms = 30_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      manager.whenCaughtUp(),
      new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error("sync did not catch up")), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
