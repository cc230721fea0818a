/** GeneralStateTests (Cancun), shard 2 of 4: see shard.ts. */
import { runShard } from "./shard.ts";

runShard(1);
