/**
 * The libp2p host of a validator: TCP + noise + yamux, identify, ping and gossipsub, with an identity
 * from the validator's Ed25519 network key (so its peer id matches the committee file).
 *
 * Gossip messages carry no libp2p signature (`StrictNoSign`, as Ethereum's consensus gossip does): what
 * they carry authenticates itself — DAG blocks are signed by their author, transactions by their sender,
 * announced heads are fetched and checked before use — and the peer that delivered a message is known from
 * the noise session. A message's id is the SHA-256 of its data, so the same bytes published twice (by two
 * nodes, or again within the seen-cache time) travel once. Signing and verifying every message had cost a
 * validator of a loaded 4-validator devnet about 8 % of its main thread.
 */
import "./polyfills.ts";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { generateKeyPairFromSeed } from "@libp2p/crypto/keys";
import { gossipsub, StrictNoSign } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import { ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { createLibp2p, type Libp2p } from "libp2p";

export interface HostOptions {
  /** 32-byte Ed25519 seed of the network key (`network.key`) */
  readonly networkKey: Uint8Array;
  /** multiaddrs to listen on, e.g. /ip4/127.0.0.1/tcp/0 */
  readonly listen: readonly string[];
  /** largest gossip message accepted (bytes) */
  readonly maxGossipBytes: number;
}

export async function createHost(o: HostOptions) {
  const privateKey = await generateKeyPairFromSeed("Ed25519", o.networkKey);
  return createLibp2p({
    privateKey,
    addresses: { listen: [...o.listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        maxInboundDataLength: o.maxGossipBytes,
        emitSelf: false,
        globalSignaturePolicy: StrictNoSign,
      }),
    },
  });
}

export type Host = Libp2p<{
  identify: ReturnType<ReturnType<typeof identify>>;
  ping: ReturnType<ReturnType<typeof ping>>;
  pubsub: ReturnType<ReturnType<typeof gossipsub>>;
}>;
