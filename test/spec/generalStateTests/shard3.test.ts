/** GeneralStateTests (Cancun), shard 4 of 4: see shard.ts. */
import { runShard } from "./shard.ts";

runShard(3);
