/** GeneralStateTests (Cancun), shard 1 of 4: see shard.ts. */
import { runShard } from "./shard.ts";

runShard(0);
