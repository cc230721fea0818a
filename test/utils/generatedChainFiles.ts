/** A generated dev chain written as files: `genesis.json` (for `fastevm init`) and `chain.rlp` (geth format). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChainWorkers } from "../../node/chain/chain.ts";
import { writeChainFile } from "../../node/chain/chainFile.ts";
import { type GenerateOptions, generateChain } from "../../node/chain/chainGenerator.ts";
import { type Block, encodeBlock } from "../../node/core/block/block.ts";

export interface ChainFiles {
  readonly genesis: string;
  readonly chain: string;
  readonly blocks: Block[];
}

export async function writeGeneratedChain(
  dir: string,
  opts: GenerateOptions,
  workers: ChainWorkers,
): Promise<ChainFiles> {
  const g = await generateChain(opts, workers);
  const genesis = join(dir, "genesis.json");
  const chain = join(dir, "chain.rlp");
  writeFileSync(genesis, g.genesisJson);
  writeChainFile(chain, g.blocks.map(encodeBlock));
  return { genesis, chain, blocks: g.blocks };
}
